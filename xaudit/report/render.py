"""Render an :class:`~xaudit.report.document.AuditReport` as one self-contained HTML page.

Jinja2 with autoescaping; inline CSS and SVG; the report's JSON embedded, escaped. The
template reads the JSON form; heatmaps, charts and the quality table are drawn here from
the typed results. The renderer only formats: every number it shows is in the report.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..attribution.explain import Explanation
from ..attribution.result import Attribution
from ..evaluation.measures import column_of, ordered
from ..evaluation.runner import EvaluationResult
from ..evaluation.sanity import blind_to_the_head
from ..fairness.metrics import RATES
from ..fairness.result import TESTED_RATES, FairnessResult
from .charts import bar_chart, line_chart
from .document import AuditReport
from .embed import embedded_view, script_json
from .heatmaps import HEADS_NOTE, SHADING_NOTE, bucket_css, grey_image, head_panel, pixel_heatmap, token_heatmap

TEMPLATES = Path(__file__).parent / "templates"
SHOWN_EXAMPLES = 6
CHARTED_RATES = ("selection_rate", "tpr", "accuracy")


def fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    if isinstance(value, (int, float)):
        return f"{value:.{digits}f}"
    return str(value)


def fmt_pct(value: Any) -> str:
    return "undefined" if value is None else f"{100 * value:.1f}%"


def fmt_interval(interval: Any) -> str:
    if not interval or interval[0] is None or interval[1] is None:
        return ""
    return f" [{interval[0]:.3f}, {interval[1]:.3f}]"


def fmt_ci(group: dict[str, Any], rate: str) -> str:
    intervals = group.get("intervals") or {}
    return fmt(group.get(rate)) + fmt_interval(intervals.get(rate))


def _example_view(explanation: Explanation) -> dict[str, Any]:
    first = explanation.first
    view = {"id": explanation.input_id, "prediction": first.prediction_label, "probability": f"{first.probability:.3f}",
            "true_label": explanation.true_label, "truncated": explanation.truncated_tokens}
    if first.image_shape is not None:
        view["pixels"] = [(_title(a), pixel_heatmap(a.scores, first.image_shape, label=name))
                          for name, a in explanation.attributions.items()]
        view["input_svg"] = grey_image(np.asarray(explanation.input)) if explanation.input is not None else ""
    else:
        view["tokens"] = [(_title(a), token_heatmap(a.units, a.scores)) for a in explanation.attributions.values()]
    return view


def _title(attribution: Attribution) -> str:
    return f"{attribution.method} (L{attribution.layer})" if attribution.layer else attribution.method


def _quality_view(quality: EvaluationResult, layers: dict[str, int | None]) -> dict[str, Any]:
    present = ordered(quality.measures())
    rows = []
    for method in quality.methods:
        layer = layers.get(method)
        cells = [f"{method} (L{layer})" if layer else method]
        for measure in present:
            s = quality.get(method, measure, layer)
            cells.append("" if s is None else ("undefined" if s.mean is None else f"{s.mean:.3f} ± {s.std:.3f}"))
        if quality.sanity:
            cells.append(_sanity_cell(quality, method))
        rows.append(cells)
    columns = [column_of(key) for key in present] + (["sanity: ρ with every layer random"] if quality.sanity else [])
    return {"columns": columns, "rows": rows}


def _sanity_cell(quality: EvaluationResult, method: str) -> str:
    """The method's rank correlation once every layer is randomised, with its interval and verdict."""
    last = max((s for s in quality.sanity if s.method == method), key=lambda s: s.k, default=None)
    if last is None:
        return ""
    verdict = {True: "passes", False: "fails", None: "undefined"}[quality.sanity_verdicts().get(method)]
    blind = "; unchanged with the head random" if method in blind_to_the_head(quality.sanity) else ""
    return (last.text() if last.mean is None else f"{last.text()} {verdict}") + blind


def _defined(value: float) -> float | None:
    return None if math.isnan(value) else value


def _fairness_charts(result: FairnessResult) -> list[Markup]:
    below = set(result.parity["statistical_parity"].below_four_fifths or []) \
        if "statistical_parity" in result.parity else set()
    charts = []
    for rate in CHARTED_RATES:
        charts.append(bar_chart(
            [g.group for g in result.groups], [_defined(g.rates[rate]) for g in result.groups],
            [tuple(_defined(v) for v in (g.intervals or {}).get(rate, (math.nan, math.nan))) for g in result.groups],
            RATES[rate].title[0].upper() + RATES[rate].title[1:],
            highlight=[g.group in below for g in result.groups] if rate == "selection_rate" else None,
        ))
    return charts


def _score_charts(result: FairnessResult) -> list[Markup]:
    """The reliability curve per group, and the impact ratio and TPR/FPR gaps against the cut-off."""
    if result.scores is None:
        return []
    groups = [*result.scores.groups, result.scores.overall]
    reliability = line_chart({g.group: ([b["mean_score"] for b in g.reliability], [b["observed"] for b in g.reliability])
                              for g in groups}, "Reliability: observed rate against mean score", "mean score per bin",
                             diagonal=True)
    sweep = result.scores.sweep

    def defined(values: list[float]) -> list[float | None]:
        return [None if math.isnan(v) else v for v in values]

    cuts = line_chart({"impact ratio": (sweep.cutoffs, defined(sweep.impact_ratio)),
                       "impact ratio, interval's low end": (sweep.cutoffs,
                                                            defined([low for low, _ in sweep.impact_ratio_interval])),
                       "TPR gap": (sweep.cutoffs, defined(sweep.tpr_gap)),
                       "FPR gap": (sweep.cutoffs, defined(sweep.fpr_gap))},
                      "Against the cut-off (score >= cut-off)", "cut-off", level=sweep.four_fifths)
    return [reliability, cuts]


def view_model(report: AuditReport) -> dict[str, Any]:
    """The report's JSON form plus pre-rendered fragments (heatmaps, charts, formatted tables)."""
    view = report.to_dict()
    for block, section in zip(view["explanations"], report.explanations):
        examples = [_example_view(e) for e in section.explanations]
        layers = {name: a.layer for e in section.explanations[:1] for name, a in e.attributions.items()}
        heads = section.heads
        block |= {"head_panels": [head_panel(heads.tokens, heads.position, weights, layer)
                                  for layer, weights in enumerate(heads.weights, start=1)] if heads else [],
                  "heads_example": section.explanations[0].input_id if heads and section.explanations else "",
                  "view_examples": examples[:SHOWN_EXAMPLES], "more_examples": examples[SHOWN_EXAMPLES:],
                  "quality": _quality_view(section.quality, layers) if section.quality else None}
    for audit, typed in zip(view["group_fairness"], report.group_fairness):
        audit["charts"] = _fairness_charts(typed.result)
        audit["score_charts"] = _score_charts(typed.result)
        audit["sweep_text"] = _sentence(typed.result.scores.sweep.describe_passing()) if typed.result.scores else ""
        audit["power"] = {g.group: typed.result.power_statement(g.group) for g in typed.result.groups if g.too_small}
        audit["equivalence"] = typed.result.equivalence_statement()
    return view


def render_html(report: AuditReport) -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                              trim_blocks=True, lstrip_blocks=True)
    environment.globals.update(fmt=fmt, fmt_pct=fmt_pct, fmt_ci=fmt_ci, fmt_interval=fmt_interval,
                               shading_note=SHADING_NOTE, heads_note=HEADS_NOTE)
    template = environment.get_template("report.html.j2")
    rate_columns = [(name, rate.label, name in TESTED_RATES) for name, rate in RATES.items()]
    rate_directions = [(rate.label, rate.direction) for rate in RATES.values()]
    return template.render(report=view_model(report), rate_columns=rate_columns, rate_directions=rate_directions,
                           bucket_css=Markup(bucket_css()),
                           data_json=Markup(script_json(embedded_view(report.to_dict()))))


def _sentence(text: str) -> str:
    """``text`` with its first letter upper case (the rest untouched, unlike ``str.capitalize``)."""
    return text[:1].upper() + text[1:]
