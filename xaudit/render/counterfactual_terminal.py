"""A rich table of counterfactual flips per group (``xaudit fairness --model M --counterfactual ATTR``)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..fairness.counterfactual import CounterfactualResult


def counterfactual_tables(result: CounterfactualResult) -> list[Table]:
    swap = ", ".join(f"{a}→{b}" for a, b in result.swap.items())
    changed = result.attribute if result.grouping is None else f"{result.attribute} (read as {result.grouping})"
    table = Table(title=f"Counterfactual flips of {result.model}: only {changed} changed ({swap}), "
                        f"favourable when score >= {result.threshold:g}")
    for column in ("group", "n", "flipped", "flip rate [interval]", "to favourable", "to unfavourable",
                   "mean score change", "McNemar p"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for row in (*result.groups, result.overall):
        low_high = "" if row.flip_rate_interval is None else \
            f" [{row.flip_rate_interval[0]:.3f}, {row.flip_rate_interval[1]:.3f}]"
        table.add_row(Text(row.group), f"{row.n:,}", f"{row.flipped:,}", f"{row.flip_rate:.3f}{low_high}",
                      f"{row.counts['to_favourable']:,}", f"{row.counts['to_unfavourable']:,}",
                      f"{row.mean_score_change:+.4f}", f"{row.mcnemar_p:.3g}")
    table.caption = ("Flip rate: share of the group's rows whose decision changes; interval: percentile bootstrap "
                     "of the paired counts; McNemar: exact binomial under 25 flips, else chi-square with "
                     "continuity correction.")
    return [table]
