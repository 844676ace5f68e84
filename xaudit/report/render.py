"""Render report data (a JSON-able dict, see ``build.py``) as one self-contained HTML page.

Jinja2 with autoescaping; inline CSS and SVG; the data embedded as escaped JSON. The
renderer only formats: every number it shows is read from the report data.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .charts import bar_chart
from .embed import embedded_view, script_json
from .heatmaps import bucket_css, grey_image, pixel_heatmap, token_heatmap

TEMPLATES = Path(__file__).parent / "templates"
SHOWN_EXAMPLES = 6
QUALITY_COLUMNS = (
    ("spearman_vs_blankout", "ρ vs blank-out"), ("spearman_vs_saliency", "ρ vs gradients"),
    ("aopc_comprehensiveness", "AOPC comprehensiveness ↑"), ("aopc_sufficiency", "AOPC sufficiency ↓"),
    ("deletion_auc", "deletion AUC ↓"), ("gini", "Gini (sparsity) ↑"), ("max_sensitivity", "max-sensitivity ↓"),
)


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


def _example_view(example: dict[str, Any]) -> dict[str, Any]:
    view = {"id": example["id"], "prediction": example["prediction"]["label"],
            "probability": f"{example['prediction']['probability']:.3f}", "true_label": example.get("true_label"),
            "truncated": example.get("truncated_tokens", 0)}
    shape = example.get("image_shape")
    if shape:
        view["pixels"] = [(_title(name, example), pixel_heatmap(scores, tuple(shape), label=name))
                          for name, scores in example["scores"].items()]
        view["input_svg"] = grey_image(np.asarray(example["image"])) if example.get("image") is not None else ""
    else:
        view["tokens"] = [(_title(name, example), token_heatmap(example["tokens"], scores))
                          for name, scores in example["scores"].items()]
    return view


def _title(method: str, example: dict[str, Any]) -> str:
    layer = (example.get("layer") or {}).get(method)
    return f"{method} (L{layer})" if layer else method


def _quality_view(quality: dict[str, Any], layers: dict[str, int | None]) -> dict[str, Any]:
    by_key = {(r["method"], r["measure"], r["layer"]): r for r in quality["results"]}
    present = [(key, label) for key, label in QUALITY_COLUMNS if any(r["measure"] == key for r in quality["results"])]
    rows = []
    for method in quality["methods"]:
        layer = layers.get(method)
        cells = [f"{method} (L{layer})" if layer else method]
        for key, _ in present:
            r = by_key.get((method, key, layer))
            cells.append("" if r is None else ("undefined" if r["mean"] is None else f"{r['mean']:.3f} ± {r['std']:.3f}"))
        rows.append(cells)
    return {"columns": [label for _, label in present], "rows": rows}


def _fairness_charts(result: dict[str, Any]) -> list[Markup]:
    charts = []
    groups = result["groups"]
    below = set((result["parity"].get("statistical_parity") or {}).get("below_four_fifths") or [])
    for rate, title in (("selection_rate", "Selection rate"), ("tpr", "True positive rate"), ("accuracy", "Accuracy")):
        charts.append(bar_chart(
            [g["group"] for g in groups], [g.get(rate) for g in groups],
            [tuple((g.get("intervals") or {}).get(rate) or (None, None)) for g in groups], title,
            highlight=[g["group"] in below for g in groups] if rate == "selection_rate" else None,
        ))
    return charts


def view_model(report: dict[str, Any]) -> dict[str, Any]:
    """The report data plus pre-rendered fragments (heatmaps, charts, formatted tables)."""
    view = dict(report)
    view["explanations"] = []
    for block in report.get("explanations", []):
        examples = [_example_view(e) for e in block["examples"]]
        layers = {name: layer for e in block["examples"][:1] for name, layer in (e.get("layer") or {}).items()}
        view["explanations"].append({
            **block, "view_examples": examples[:SHOWN_EXAMPLES], "more_examples": examples[SHOWN_EXAMPLES:],
            "quality": _quality_view(block["quality"], layers) if block.get("quality") else None,
        })
    view["group_fairness"] = [{**audit, "charts": _fairness_charts(audit["result"])}
                              for audit in report.get("group_fairness", [])]
    return view


def render_html(report: dict[str, Any]) -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                              trim_blocks=True, lstrip_blocks=True)
    environment.globals.update(fmt=fmt, fmt_pct=fmt_pct, fmt_ci=fmt_ci, fmt_interval=fmt_interval)
    template = environment.get_template("report.html.j2")
    return template.render(report=view_model(report), bucket_css=Markup(bucket_css()),
                           data_json=Markup(script_json(embedded_view(report))))
