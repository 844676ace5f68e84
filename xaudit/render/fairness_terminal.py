"""Rich tables of a FairnessResult for the terminal (flags highlighted). Reads, never recomputes."""

from __future__ import annotations

import math

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ..fairness.metrics import RATES
from ..fairness.result import METHODS, FairnessResult, GroupRow, Interval, ParityRow
from ..fairness.score_intervals import METHOD as SCORE_INTERVAL_METHOD
from .fitted import Stacked

UNDEFINED = "undefined"
RATE_COLUMNS = {name: rate.label for name, rate in RATES.items()}
IMPACT = "impact ratio"
PARITY_COLUMNS = ("difference", "ratio", "worst-off group (lowest rate)", "worst impact ratio", "below four-fifths")
SCORE_COLUMNS = {"auc": "AUC", "average_precision": "average precision", "brier": "Brier", "ece": "ECE"}
GAP_COLUMNS = ("difference", "impact ratio", "p (Holm)", "detectable gap")
NAME_WIDTH = 40
"""Group names longer than this wrap inside their cell (never cut)."""


def name_column(result: FairnessResult) -> dict[str, object]:
    """Options of a column of group names: as wide as the longest name, never shrunk below it (Rich shrinks
    the widest wrappable column first, then crops), folded only past NAME_WIDTH."""
    longest = max(len(name) for name in [g.group for g in result.groups] + ["overall"])
    return {"min_width": min(longest, NAME_WIDTH), "no_wrap": longest <= NAME_WIDTH, "overflow": "fold"}


def fairness_tables(result: FairnessResult) -> list[RenderableType]:
    """The per-group table, its flags, the parity table, the gaps to the reference and a few lines
    on how to read them."""
    scores = [Stacked(lambda columns: _score_table(result, columns), SCORE_COLUMNS),
              Text(result.scores.sweep.describe_passing() + ".")] if result.scores else []
    return [Stacked(lambda columns: _group_table(result, columns), [*RATE_COLUMNS, IMPACT]), _flags(result),
            _reference(result), Stacked(lambda columns: _parity_table(result, columns), PARITY_COLUMNS),
            Stacked(lambda columns: _gap_table(result, columns), GAP_COLUMNS), *scores, _notes(result)]


def _score_table(result: FairnessResult, columns: list[str]) -> Table:
    """Ranking and calibration of the scores per group: ``columns`` are keys of SCORE_COLUMNS."""
    assert result.scores is not None
    confidence = result.settings["confidence"]
    table = Table(title=f"Scores per group (calibration over {result.scores.bins} equal-width bins; "
                  f"{confidence:.0%} intervals in brackets)", box=box.SIMPLE_HEAD)
    table.add_column("group", **name_column(result))
    for column in ("n", "positives", *(SCORE_COLUMNS[c] for c in columns)):
        table.add_column(column, justify="right")
    for row in (*result.scores.groups, result.scores.overall):
        table.add_row(Text(row.group, style="italic" if row is result.scores.overall else ""), f"{row.n:,}",
                      f"{row.positives:,}", *(with_interval(getattr(row, name), (row.intervals or {}).get(name))
                                              for name in columns))
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


def _group_table(result: FairnessResult, columns: list[str]) -> Table:
    """Rates per group: ``columns`` are rate names and IMPACT (the selection rate's impact ratio)."""
    brackets = f" ({result.settings['confidence']:.0%} intervals in brackets)"
    table = Table(title=f"Rates per group{brackets}", box=box.SIMPLE_HEAD)
    table.add_column("group", **name_column(result))
    table.add_column("n (share)", justify="right")
    for column in columns:
        table.add_column(RATE_COLUMNS.get(column, column), justify="right")
    statistical = result.parity["statistical_parity"]
    for row in (*result.groups, result.overall):
        overall = row is result.overall
        below = [] if overall else _below_four_fifths(result, row.group)
        cells = [("" if overall else number(statistical.impact_ratio[row.group])) if column == IMPACT else
                 with_interval(row.rates[column], (row.intervals or {}).get(column),
                               "bold red" if column in below else "")
                 for column in columns]
        table.add_row(_group_label(result, row), f"{row.n:,}\n({row.share:.1%})", *cells, end_section=True)
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
    for row in result.parity.values():
        pair = row.between_flag(result.reference_group)
        if pair is not None:
            lines.append(f"Between groups ({RATE_COLUMNS[row.rate]}): {pair.lowest} has {pair.ratio:.3f} of "
                         f"{pair.highest}'s rate, below four-fifths\n", style="bold red")
    equivalence = result.equivalence_statement()
    if equivalence:
        lines.append(equivalence[0].upper() + equivalence[1:] + ".\n", style="green" if equivalence.startswith("no ")
                     else "")
    return lines if lines else Text("No group is flagged.", style="green")


def _reference(result: FairnessResult) -> Text:
    """The reference group and the rule that chose it, as applied (groups passed over included)."""
    return Text(f"Reference group: {result.reference_group} ({result.reference_rule}).")


def _parity_table(result: FairnessResult, columns: list[str]) -> Table:
    table = Table(title=f"Parity between groups (reference: {result.reference_group})", box=box.SIMPLE_HEAD)
    table.add_column("criterion (rate)", overflow="fold")
    for column in columns:
        numeric = column in ("difference", "ratio", "worst impact ratio")
        table.add_column(column, **({"justify": "right"} if numeric else name_column(result)))
    for key, row in result.parity.items():
        cells = {"difference": number(row.difference), "ratio": number(row.ratio), PARITY_COLUMNS[2]: _worst(row),
                 "worst impact ratio": number(row.worst_impact_ratio),
                 "below four-fifths": _below(row, result.reference_group)}
        table.add_row(f"{key.replace('_', ' ')}\n({RATE_COLUMNS[row.rate]})", *(cells[c] for c in columns),
                      end_section=True)
    odds = result.equalized_odds
    odds_cells = {"difference": number(odds.difference), "ratio": number(odds.ratio)}
    table.add_row("equalized odds\n(TPR and FPR)", *(odds_cells.get(c, "") for c in columns))
    return table


def _gap_table(result: FairnessResult, columns: list[str]) -> Table:
    """Each group against the reference per criterion: signed difference, impact ratio, test, detectable gap."""
    table = Table(title=f"Each group against {result.reference_group} ({result.settings['confidence']:.0%} "
                  "intervals in brackets)", box=box.SIMPLE_HEAD)
    table.add_column("criterion (rate)", overflow="fold")
    table.add_column("group", **name_column(result))
    for column in columns:
        table.add_column(column, justify="right")
    for row in result.parity.values():
        others = [g for g in result.groups if g.group != result.reference_group]
        for index, group in enumerate(others):
            test = (group.tests or {}).get(row.rate)
            cells = {"difference": with_interval(row.difference_to_reference[group.group],
                                                 row.difference_to_reference_interval.get(group.group)),
                     "impact ratio": with_interval(row.impact_ratio[group.group],
                                                   row.impact_ratio_interval.get(group.group)),
                     "p (Holm)": "" if test is None else f"{test.p_value:.2g} ({test.p_holm:.2g})",
                     "detectable gap": number(row.detectable_difference[group.group], 2)}
            table.add_row(f"{row.key.replace('_', ' ')} ({RATE_COLUMNS[row.rate]})" if index == 0 else "",
                          Text(group.group, style="yellow" if group.too_small else ""), *(cells[c] for c in columns),
                          end_section=index == len(others) - 1)
    return table


def _worst(row: ParityRow) -> str:
    return UNDEFINED if row.worst_group is None else f"{row.worst_group}\n({number(row.worst_value)})"


def _below(row: ParityRow, reference: str) -> Text:
    """Groups under four-fifths of the reference, one per line; the between-groups flag; or why the rule is
    not applied."""
    if row.below_four_fifths is None:
        return Text("not applied\n(see the notes)", style="dim")
    pair = row.between_flag(reference)
    text = Text("\n".join(row.below_four_fifths) or "none", style="bold red" if row.below_four_fifths else "green")
    if pair is not None:
        text.append(f"\nbetween groups:\n{pair.lowest} /\n{pair.highest}\n= {number(pair.ratio)}", style="bold red")
    return text


def _notes(result: FairnessResult) -> Text:
    settings, rows = result.settings, result.source.get("rows", {})
    lines = ["Difference: max − min over groups; ratio: min / max (point summaries, no interval); impact ratio: "
             "group / reference; difference to the reference: group − reference.",
             f"Intervals ({settings['confidence']:.0%}, each comparison on its own): {METHODS['rate_interval']} for "
             f"rates, {METHODS['difference_to_reference_interval']} for differences, "
             f"{METHODS['impact_ratio_interval']} for impact ratios.",
             f"Detectable gap: the smallest gap to the reference rate (on the worse side) that a two-sided test at "
             f"alpha {settings['alpha']:g} finds with power 0.8, given both group sizes (Cohen's h, statsmodels)."]
    lines.append(f"Four-fifths flag: impact ratio below {settings['four_fifths']:g}, for each group against the "
                 "reference and between the lowest and highest group large enough to judge. Tests against the "
                 f"reference: Fisher exact for small tables, else two-proportion z; Holm-corrected, alpha "
                 f"{settings['alpha']:g}.")
    lines += [f"Four-fifths rule on the {RATE_COLUMNS[row.rate]}: not applied: {row.four_fifths_reason}."
              for row in result.parity.values() if row.four_fifths_reason]
    lines.append("Direction (ŷ=1 is the favourable decision; the worst-off group has the lowest rate): "
                 + "; ".join(f"{rate.label}: {rate.direction}" for rate in RATES.values()) + ".")
    lines.append(f"Too small to judge: under {settings['min_rows']} rows or {settings['min_share']:.0%} of the data; "
                 f"each such group says the selection-rate gap it could detect and the rows needed for "
                 f"{settings.get('target_gap', 0.1):g}.")
    if result.scores is not None:
        lines.append(f"Score intervals: {SCORE_INTERVAL_METHOD}, {settings['n_boot']:,} resamples.")
    if settings.get("equivalence_margin") is not None:
        lines.append(f"Equivalence: {METHODS['equivalence_p']}, margin ±{settings['equivalence_margin']:g}.")
    if rows:
        lines.append(f"Rows: {rows['rows_read']:,} read, {rows['dropped']:,} dropped (missing values), "
                     f"{rows['excluded']:,} outside the audited groups.")
    return Text("\n".join(lines), style="dim")
