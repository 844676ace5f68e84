"""Rich tables of an LL144 bias audit: one per dimension (sex, race/ethnicity, intersectional)."""

from __future__ import annotations

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ..fairness.ll144 import CITATION, LL144Audit
from .fairness_terminal import number


def ll144_tables(audit: LL144Audit) -> list[RenderableType]:
    """A table per dimension, with its unknown-category count, and the rule cited."""
    basis = (f"share scoring above the full sample's median score ({audit.median:.4g})" if audit.median is not None
             else "share selected")
    out: list[RenderableType] = []
    for table in audit.tables:
        shown = Table(title=f"LL144 impact ratios by {table.dimension} ({' × '.join(table.columns)})",
                      box=box.SIMPLE_HEAD, caption=f"{table.unknown:,} individuals of unknown {table.dimension} "
                      f"category are not in the calculations; impact ratio: rate / {table.highest}'s (highest).",
                      caption_justify="left")
        for column in ("category", "n", "share", audit.rate, "impact ratio", "excluded"):
            shown.add_column(column, justify="left" if column in ("category", "excluded") else "right",
                             overflow="fold")
        for row in table.categories:
            ratio = "excluded" if row.impact_ratio is None else number(row.impact_ratio)
            style = "bold red" if row.impact_ratio is not None and row.impact_ratio < 0.8 else ""
            shown.add_row(row.category, f"{row.n:,}", f"{row.share:.1%}", number(row.rate), Text(ratio, style=style),
                          Text(f"under 2% ({row.share:.1%})" if row.excluded else "", style="yellow"))
        out.append(shown)
    out.append(Text(f"{audit.rate.capitalize()}: {basis}; {audit.individuals:,} individuals. Categories under 2% of "
                    "the data are excluded from the impact ratios (6 RCNY § 5-301 lets an auditor exclude them); their "
                    f"number and rate are still reported. {CITATION}.", style="dim"))
    return out
