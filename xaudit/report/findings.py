"""Findings for the summary, ranked by severity, each one plain sentence with its number.

- high: decisions that change when only a protected input changes (counterfactual flips,
  significant by McNemar's test at 1 − confidence), and a selection-rate impact ratio below
  the four-fifths threshold (adverse impact);
- medium: another criterion's impact ratio below the threshold, the lowest of the groups large
  enough to judge below the threshold of the highest when that is not the reference, or a gap
  to the reference group that is significant after Holm correction;
- low: groups too small to judge (also when they fall below the threshold: they are
  reported, as LL144 audits require, but not judged), each with the selection-rate gap to
  the reference it could have detected (power 0.8; Cohen 1988);
- info: the worst-off group per criterion, the share of attribution on protected attributes
  and their proxies, cloze disparities, which explanation method agrees best with blank-out.

Computed from the typed results and the settings they ran with (see ``document.py``).
"""

from __future__ import annotations

import math

from ..cloze.tables import Cell, ClozeResult
from ..fairness.metrics import RATES
from ..fairness.result import TESTED_RATES, FairnessResult, GroupRow
from ..wording import article, count
from .document import ExplanationSection, Finding, GroupFairnessAudit, ModelAuditSection

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
BLANKOUT_AGREEMENT = "spearman_vs_blankout"


def _list(items: list[str], most: int = 6) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


def fairness_findings(audit: GroupFairnessAudit) -> list[Finding]:
    result, title = audit.result, audit.title
    settings = result.audit_settings
    reference = result.reference_group
    small_groups = {row.group for row in result.groups if row.too_small}
    found = []

    def finding(severity: str, value: float | None, text: str) -> Finding:
        return Finding(severity, "group fairness", title, value, f"{title}: {text}")

    for key, parity in result.parity.items():
        below = parity.below_four_fifths or []
        judged = [g for g in below if g not in small_groups]
        unjudged = [g for g in below if g in small_groups]
        rate = RATES[parity.rate].title
        if judged:
            worst = min(judged, key=lambda g: 1.0 if math.isnan(parity.impact_ratio[g]) else parity.impact_ratio[g])
            tail = f" ({len(unjudged)} more below it {'is' if len(unjudged) == 1 else 'are'} too small to judge)" \
                if unjudged else ""
            found.append(finding(
                "high" if key == "statistical_parity" else "medium", _number(parity.impact_ratio[worst]),
                f"{count(len(judged), 'group')} {'has' if len(judged) == 1 else 'have'} {article(rate)} {rate} below "
                f"{settings.four_fifths:g} of the reference group {reference}'s: {_list(judged)}; lowest impact "
                f"ratio {parity.impact_ratio[worst]:.2f} ({worst}){tail}."))
        elif unjudged:
            one = len(unjudged) == 1
            found.append(finding("low", len(unjudged), f"{_list(unjudged)} {'has' if one else 'have'} {article(rate)} "
                                 f"{rate} below {settings.four_fifths:g} of the reference group {reference}'s, but "
                                 f"{'is' if one else 'are'} too small to judge."))
        pair = parity.between_flag(reference)
        if pair is not None:
            found.append(finding(
                "medium", pair.ratio, f"between groups: {pair.lowest}'s {rate} is {pair.ratio:.2f} of "
                f"{pair.highest}'s (the lowest and highest of the groups large enough to judge; the reference is "
                f"{reference}), below {settings.four_fifths:g}."))
    for rate in TESTED_RATES:
        significant = [row.group for row in result.groups
                       if (row.tests or {}).get(rate) is not None and row.tests[rate].significant]
        if significant:
            found.append(finding("medium", len(significant), f"the {RATES[rate].title} of {_list(significant)} "
                                 f"differs from the reference group {reference}'s significantly (Holm-corrected "
                                 "tests)."))
    small = [_detectable(result, row) for row in result.groups if row.too_small]
    if small:
        found.append(finding("low", len(small), f"{count(len(small), 'group')} {'is' if len(small) == 1 else 'are'} too "
                             f"small to judge (under {settings.min_share:.0%} of the data or fewer than "
                             f"{settings.min_rows} rows): {_list(small)}."))
    equivalence = result.equivalence_statement()
    if equivalence:
        found.append(finding("info", None, equivalence + "."))
    parity = result.parity.get("performance_parity")
    if parity is not None and parity.worst_group:
        found.append(finding("info", _number(parity.worst_value), f"the worst-off group by "
                             f"{RATES[parity.rate].title} (the lowest) is {parity.worst_group} "
                             f"({parity.worst_value:.3f}); the "
                             f"gap to the best group is {parity.difference:.3f}."))
    return found


def _detectable(result: FairnessResult, row: GroupRow) -> str:
    """``b (n = 41: could detect a selection rate gap of 0.19 or more; 180 rows needed for 0.10)``: what the
    data could have shown (power 0.8, see ``fairness/power.py``)."""
    return f"{row.group} ({result.power_statement(row.group)})"


def model_audit_findings(section: ModelAuditSection) -> list[Finding]:
    """Counterfactual dependence on a protected input per group (high when McNemar's test rejects at
    1 − confidence, else info), and where the attribution mass lies (info)."""
    found = []
    for flips in section.counterfactuals:
        alpha = 1.0 - float(flips.settings.get("confidence", 0.95))
        for row in flips.groups:
            if not row.flipped:
                continue
            significant = row.mcnemar_p < alpha
            direction = (f"{row.counts['to_unfavourable']} to unfavourable, {row.counts['to_favourable']} to "
                         "favourable")
            found.append(Finding(
                "high" if significant else "info", "counterfactual", section.model, row.flip_rate,
                f"{section.model}: {row.flip_rate:.1%} of {row.group} applicants' decisions change when only "
                f"{flips.attribute} changes ({row.flipped:,} of {row.n:,}: {direction}; McNemar p "
                f"{f'= {row.mcnemar_p:.2g}' if row.mcnemar_p > 0 else '< 1e-300'}"
                f"{'' if significant else ', not significant'})."))
    attribution = section.attribution
    if attribution is not None:
        top = max(attribution.groups, key=lambda g: g.protected_share, default=attribution.overall)
        proxies = ", ".join(f"{a.feature} (~{a.attribute})" for a in attribution.proxies) or "none found"
        found.append(Finding(
            "info", "attribution by group", section.model, attribution.overall.protected_share,
            f"{section.model}: {attribution.overall.protected_share:.1%} of the {attribution.method} attribution "
            f"mass lies on protected attributes ({', '.join(attribution.protected)}) and "
            f"{attribution.overall.proxy_share:.1%} on their proxies ({proxies}); the largest protected share is "
            f"{top.group}'s ({top.protected_share:.1%})."))
    return found


def cloze_findings(cloze: ClozeResult) -> list[Finding]:
    """Per k: the pooled P@k against the human baseline, where groups differ most (in answers per cell),
    and the lowest group."""
    found = [Finding("low", "cloze fairness", cloze.model, None, message[0].upper() + message[1:] + ".")
             for message in cloze.below_human()]
    human_rate = _pooled(cloze.human.cells)
    for k, table in cloze.precision.items():
        spread = {lang: m for lang, m in table.language_means.items() if m.std is not None}
        groups = {g: m for g, m in table.group_means.items() if m.mean is not None}
        cells = [c for c in table.cells if c.n]
        if not spread or not groups or not cells:
            continue
        widest = max(spread, key=lambda lang: spread[lang].std)
        lowest = min(groups, key=lambda g: groups[g].mean)
        sizes = [c.n for c in cells if c.language == widest] or [c.n for c in cells]
        answers = spread[widest].std * min(sizes)  # the spread in answers of that language's smallest cell
        noise = f"about {answers:.1f} answers in a cell of {min(sizes)}" + (
            ": too few to tell groups apart" if answers < 2 else "")
        baseline = f" against a human baseline of {human_rate:.1%}" if human_rate is not None else ""
        found.append(Finding(
            "info", "cloze fairness", cloze.model, spread[widest].std,
            f"Cloze P@{k} of {cloze.model}: {_pooled(cells):.1%} of all annotations{baseline}; the spread across "
            f"groups is widest in {widest.upper()} (σ = {spread[widest].std:.3f}, {noise}); the lowest group mean "
            f"over languages is {lowest} ({groups[lowest].mean:.3f})."))
    return found


def _pooled(cells: tuple[Cell, ...] | list[Cell]) -> float | None:
    """Hits over annotations across cells."""
    n = sum(c.n for c in cells)
    return sum(c.hits for c in cells) / n if n else None


def explanation_findings(section: ExplanationSection) -> list[Finding]:
    """Which method ranks units most and least like blank-out does (at the layers evaluated)."""
    if section.quality is None:
        return []
    rows = [s for s in section.quality.summaries if s.measure == BLANKOUT_AGREEMENT and s.mean is not None]
    if not rows:
        return []
    best = max(rows, key=lambda s: s.mean)
    worst = min(rows, key=lambda s: s.mean)

    def named(s) -> str:
        return f"{s.method} at layer {s.layer}" if s.layer else s.method

    if best is worst:
        comparison = (f"{named(best)} is the only method compared with blank-out (Spearman {best.mean:.2f} ± "
                      f"{best.std:.2f})")
    else:
        comparison = (f"{named(best)} agrees best with blank-out (Spearman {best.mean:.2f} ± {best.std:.2f}); "
                      f"{named(worst)} least ({worst.mean:.2f})")
    return [Finding("info", "explanations", section.model, best.mean,
                    f"{section.model}: {comparison}; see the explanation-quality table before relying on one "
                    "method.")]


def rank(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
