"""Findings for the summary, ranked by severity, each one plain sentence with its number.

- high: a selection-rate impact ratio below the four-fifths threshold (adverse impact);
- medium: another criterion's impact ratio below the threshold, or a gap to the reference
  group that is significant after Holm correction;
- low: groups too small to judge (also when they fall below the threshold: they are
  reported, as LL144 audits require, but not judged);
- info: the worst-off group per criterion, cloze disparities, which explanation method
  agrees best with blank-out.
"""

from __future__ import annotations

from typing import Any

from ..fairness.metrics import RATES
from ..fairness.result import TESTED_RATES

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _list(items: list[str], most: int = 6) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def fairness_findings(audit: dict[str, Any]) -> list[dict[str, Any]]:
    result, title = audit["result"], audit["title"]
    reference = result["reference_group"]
    threshold = result["settings"].get("four_fifths", 0.8)
    found = []
    small_groups = {g["group"] for g in result["groups"] if g.get("too_small")}
    for key, parity in result["parity"].items():
        below = parity.get("below_four_fifths") or []
        judged = [g for g in below if g not in small_groups]
        unjudged = [g for g in below if g in small_groups]
        rate = RATES[parity["rate"]].title
        ratios = parity["impact_ratio"]
        if judged:
            worst = min(judged, key=lambda g: ratios.get(g) if ratios.get(g) is not None else 1.0)
            tail = f" ({len(unjudged)} more group(s) below it are too small to judge)" if unjudged else ""
            found.append({"severity": "high" if key == "statistical_parity" else "medium",
                          "section": "group fairness", "value": ratios.get(worst),
                          "text": f"{title}: {len(judged)} group(s) have a {rate} below {threshold:g} of the reference "
                                  f"group {reference}'s: {_list(judged)}; lowest impact ratio "
                                  f"{ratios.get(worst):.2f} ({worst}){tail}."})
        elif unjudged:
            found.append({"severity": "low", "section": "group fairness", "value": len(unjudged),
                          "text": f"{title}: {_list(unjudged)} have a {rate} below {threshold:g} of the reference "
                                  f"group {reference}'s, but are too small to judge."})
    for rate in TESTED_RATES:
        significant = [g["group"] for g in result["groups"]
                       if (((g.get("tests") or {}).get(rate)) or {}).get("significant")]
        if significant:
            found.append({"severity": "medium", "section": "group fairness", "value": len(significant),
                          "text": f"{title}: the {RATES[rate].title} of {_list(significant)} differs from the reference "
                                  f"group {reference}'s significantly (Holm-corrected tests)."})
    small = [f"{g['group']} (n={g['n']})" for g in result["groups"] if g.get("too_small")]
    if small:
        found.append({"severity": "low", "section": "group fairness", "value": len(small),
                      "text": f"{title}: {len(small)} group(s) are too small to judge (under "
                              f"{result['settings']['min_share']:.0%} of the data or fewer than "
                              f"{result['settings']['min_rows']} rows): {_list(small)}."})
    parity = result["parity"].get("performance_parity")
    if parity and parity.get("worst_group"):
        found.append({"severity": "info", "section": "group fairness", "value": parity["worst_value"],
                      "text": f"{title}: the worst-off group by true positive rate is {parity['worst_group']} "
                              f"({parity['worst_value']:.3f}); the gap to the best group is {parity['difference']:.3f}."})
    return found


def cloze_findings(cloze: dict[str, Any]) -> list[dict[str, Any]]:
    """Per k: the pooled P@k against the human baseline, where groups differ most (in answers per cell),
    and the lowest group."""
    found = []
    human = cloze.get("human_baseline") or {}
    human_rate = _pooled(human.get("cells") or [])
    for k, table in (cloze.get("p_at_k") or {}).items():
        spread = {lang: m for lang, m in table["language_means"].items() if m.get("std") is not None}
        groups = {g: m for g, m in table["group_means"].items() if m.get("mean") is not None}
        cells = [c for c in table.get("cells") or [] if c.get("n")]
        if not spread or not groups or not cells:
            continue
        widest = max(spread, key=lambda lang: spread[lang]["std"])
        lowest = min(groups, key=lambda g: groups[g]["mean"])
        sizes = [c["n"] for c in cells if c.get("language") == widest] or [c["n"] for c in cells]
        answers = spread[widest]["std"] * min(sizes)  # the spread in answers of that language's smallest cell
        noise = f"about {answers:.1f} answers in a cell of {min(sizes)}" + (
            ": too few to tell groups apart" if answers < 2 else "")
        overall = _pooled(cells)
        baseline = f" against a human baseline of {human_rate:.1%}" if human_rate is not None else ""
        found.append({"severity": "info", "section": "cloze fairness", "value": spread[widest]["std"],
                      "text": f"Cloze P@{k} of {cloze['model']}: {overall:.1%} of all annotations{baseline}; the "
                              f"spread across groups is widest in {widest.upper()} (σ = {spread[widest]['std']:.3f}, "
                              f"{noise}); the lowest group mean over languages is {lowest} "
                              f"({groups[lowest]['mean']:.3f})."})
    return found


def _pooled(cells: list[dict[str, Any]]) -> float | None:
    """Hits over annotations across cells (``hits``/``n``)."""
    n = sum(c.get("n") or 0 for c in cells)
    return sum(c.get("hits") or 0 for c in cells) / n if n else None


def explanation_findings(block: dict[str, Any]) -> list[dict[str, Any]]:
    quality = block.get("quality")
    if not quality:
        return []
    rows = [r for r in quality["results"] if r["measure"] == "spearman_vs_blankout" and r["mean"] is not None]
    if not rows:
        return []
    best = max(rows, key=lambda r: r["mean"])
    worst = min(rows, key=lambda r: r["mean"])
    layer = lambda r: f" at layer {r['layer']}" if r["layer"] else ""  # noqa: E731
    return [{"severity": "info", "section": "explanations", "value": best["mean"],
             "text": f"{block['model']}: {best['method']}{layer(best)} agrees best with blank-out (Spearman "
                     f"{best['mean']:.2f} ± {best['std']:.2f}); {worst['method']}{layer(worst)} least "
                     f"({worst['mean']:.2f}); see the explanation-quality table before relying on one method."}]


def rank(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f["severity"]])
