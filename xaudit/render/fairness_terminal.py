"""Rich tables of a FairnessResult for the terminal (flags highlighted). Reads, never recomputes."""

from __future__ import annotations

import math

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ..fairness.metrics import RATES
from ..fairness.result import METHODS, FairnessResult, GroupRow, Interval, ParityRow

UNDEFINED = "undefined"
RATE_COLUMNS = {name: rate.label for name, rate in RATES.items()}


def fairness_tables(result: FairnessResult) -> list[RenderableType]:
    """The per-group table, its flags, the parity table, the gaps to the reference and a few lines
    on how to read them."""
    scores = [_score_table(result), Text(result.scores.sweep.describe_passing() + ".")] if result.scores else []
    return [_group_table(result), _flags(result), _parity_table(result), _gap_table(result), *scores,
            _notes(result)]


def _score_table(result: FairnessResult) -> Table:
    """Ranking and calibration of the scores per group."""
    assert result.scores is not None
    table = Table(title=f"Scores per group (calibration over {result.scores.bins} equal-width bins)",
                  box=box.SIMPLE_HEAD)
    for column in ("group", "n", "positives", "AUC", "average precision", "Brier", "ECE"):
        table.add_column(column, justify="left" if column == "group" else "right", overflow="fold")
    for row in (*result.scores.groups, result.scores.overall):
        table.add_row(Text(row.group, style="italic" if row is result.scores.overall else ""), f"{row.n:,}",
                      f"{row.positives:,}", number(row.auc), number(row.average_precision), number(row.brier),
                      number(row.ece))
    return table


def number(value: float, digits: int = 3) -> str:
    """``0.123``, or ``undefined`` for NaN."""
    return UNDEFINED if value is None or math.isnan(value) else f"{value:.{digits}f}"


def with_interval(value: float, interval: Interval | None, style: str = "") -> Text:
    """The value, and under it its interval in brackets (dim)."""
    text = Text(number(value), style=style)
    if interval is not None and not math.isnan(value):
        text.append(f"\n[{number(interval[0])}, {number(interval[1])}]", style="dim")
    return text


def _below_four_fifths(result: FairnessResult, group: str) -> list[str]:
    """Rates on which the group is under the four-fifths line."""
    return [row.rate for row in result.parity.values() if group in (row.below_four_fifths or [])]


def _group_table(result: FairnessResult) -> Table:
    brackets = f" ({result.settings['confidence']:.0%} intervals in brackets)"
    table = Table(title=f"Rates per group{brackets}", box=box.SIMPLE_HEAD)
    longest = max(len(word) for name in [g.group for g in result.groups] + ["(reference)"] for word in name.split())
    for column in ("group", "n (share)", *RATE_COLUMNS.values(), "impact ratio"):
        table.add_column(column, justify="left" if column == "group" else "right", overflow="fold",
                         min_width=min(longest, 40) if column == "group" else None)
    statistical = result.parity["statistical_parity"]
    for row in (*result.groups, result.overall):
        overall = row is result.overall
        below = [] if overall else _below_four_fifths(result, row.group)
        cells = [with_interval(row.rates[rate], (row.intervals or {}).get(rate), "bold red" if rate in below else "")
                 for rate in RATE_COLUMNS]
        impact = "" if overall else number(statistical.impact_ratio[row.group])
        table.add_row(_group_label(result, row), f"{row.n:,}\n({row.share:.1%})", *cells, impact,
                      end_section=True)
    return table


def _group_label(result: FairnessResult, row: GroupRow) -> Text:
    if row is result.overall:
        return Text("overall", style="italic")
    label = Text(row.group, style="yellow" if row.too_small else "")
    if row.group == result.reference_group:
        label.append("\n(reference)", style="dim")
    return label


def _flags(result: FairnessResult) -> Text:
    """One line per flagged group: too small, under four-fifths, different from the reference."""
    lines = Text()
    for row in result.groups:
        flags = []
        if row.too_small:
            flags.append((f"too small to judge ({result.power_statement(row.group)})", "yellow"))
        below = [RATE_COLUMNS[rate] for rate in _below_four_fifths(result, row.group)]
        if below:
            flags.append((f"below four-fifths on {', '.join(below)}", "bold red"))
        differs = [RATE_COLUMNS[rate] for rate, test in (row.tests or {}).items() if test and test.significant]
        if differs:
            flags.append((f"differs from {result.reference_group} on {', '.join(differs)} (Holm)", "magenta"))
        if flags:
            lines.append(f"{row.group}: ")
            for index, (flag, style) in enumerate(flags):
                lines.append(("; " if index else "") + flag, style=style)
            lines.append("\n")
    equivalence = result.equivalence_statement()
    if equivalence:
        lines.append(equivalence[0].upper() + equivalence[1:] + ".\n", style="green" if equivalence.startswith("no ")
                     else "")
    return lines if lines else Text("No group is flagged.", style="green")


def _parity_table(result: FairnessResult) -> Table:
    table = Table(title=f"Parity between groups (reference: {result.reference_group}, {result.reference_rule})",
                  box=box.SIMPLE_HEAD)
    for column in ("criterion (rate)", "difference", "ratio", "worst-off group", "worst impact ratio",
                   "below four-fifths"):
        table.add_column(column, justify="right" if column in ("difference", "ratio", "worst impact ratio")
                         else "left")
    for key, row in result.parity.items():
        table.add_row(f"{key.replace('_', ' ')}\n({RATE_COLUMNS[row.rate]})",
                      number(row.difference), number(row.ratio), _worst(row),
                      number(row.worst_impact_ratio), _below(row), end_section=True)
    odds = result.equalized_odds
    table.add_row("equalized odds\n(TPR and FPR)", number(odds.difference), number(odds.ratio), "", "", "")
    return table


def _gap_table(result: FairnessResult) -> Table:
    """Each group against the reference per criterion: signed difference, impact ratio, test, detectable gap."""
    table = Table(title=f"Each group against {result.reference_group} ({result.settings['confidence']:.0%} "
                  "intervals in brackets)", box=box.SIMPLE_HEAD)
    for column in ("criterion (rate)", "group", "difference", "impact ratio", "p (Holm)", "detectable gap"):
        table.add_column(column, justify="left" if column in ("criterion (rate)", "group") else "right")
    for row in result.parity.values():
        others = [g for g in result.groups if g.group != result.reference_group]
        for index, group in enumerate(others):
            test = (group.tests or {}).get(row.rate)
            table.add_row(f"{row.key.replace('_', ' ')} ({RATE_COLUMNS[row.rate]})" if index == 0 else "",
                          Text(group.group, style="yellow" if group.too_small else ""),
                          with_interval(row.difference_to_reference[group.group],
                                        row.difference_to_reference_interval.get(group.group)),
                          with_interval(row.impact_ratio[group.group], row.impact_ratio_interval.get(group.group)),
                          "" if test is None else f"{test.p_value:.2g} ({test.p_holm:.2g})",
                          number(row.detectable_difference[group.group], 2),
                          end_section=index == len(others) - 1)
    return table


def _worst(row: ParityRow) -> str:
    return UNDEFINED if row.worst_group is None else f"{row.worst_group}\n({number(row.worst_value)})"


def _below(row: ParityRow) -> Text:
    if row.below_four_fifths is None:
        return Text("not applicable", style="dim")
    return Text(", ".join(row.below_four_fifths) or "none", style="bold red" if row.below_four_fifths else "green")


def _notes(result: FairnessResult) -> Text:
    settings, rows = result.settings, result.source.get("rows", {})
    lines = ["Difference: max − min over groups; ratio: min / max (point summaries, no interval); impact ratio: "
             "group / reference; difference to the reference: group − reference.",
             f"Intervals ({settings['confidence']:.0%}, each comparison on its own): {METHODS['rate_interval']} for "
             f"rates, {METHODS['difference_to_reference_interval']} for differences, "
             f"{METHODS['impact_ratio_interval']} for impact ratios.",
             f"Detectable gap: the smallest gap to the reference rate (on the worse side) that a two-sided test at "
             f"alpha {settings['alpha']:g} finds with power 0.8, given both group sizes (Cohen's h, statsmodels)."]
    lines.append(f"Four-fifths flag: impact ratio below {settings['four_fifths']:g}. Tests against the reference: "
                 f"Fisher exact for small tables, else two-proportion z; Holm-corrected, alpha {settings['alpha']:g}.")
    lines.append(f"Too small to judge: under {settings['min_rows']} rows or {settings['min_share']:.0%} of the data; "
                 f"each such group says the selection-rate gap it could detect and the rows needed for "
                 f"{settings.get('target_gap', 0.1):g}.")
    if settings.get("equivalence_margin") is not None:
        lines.append(f"Equivalence: {METHODS['equivalence_p']}, margin ±{settings['equivalence_margin']:g}.")
    if rows:
        lines.append(f"Rows: {rows['rows_read']:,} read, {rows['dropped']:,} dropped (missing values), "
                     f"{rows['excluded']:,} outside the audited groups.")
    return Text("\n".join(lines), style="dim")
