"""Cloze results as the paper's tables (Cabello Piqueras & Søgaard 2022): terminal and Markdown.

One table per k (rows: groups; columns: languages, then each group's mean over languages
with its std), a bottom row of language means with σ_gd, the same for the human baseline,
cell counts, and the data checks. Values are percentages with one decimal. Renderers
only format what :class:`~xaudit.cloze.tables.ClozeResult` holds.
"""

from __future__ import annotations

from rich.table import Table

from ..cloze.tables import ClozeResult, Margin, RateTable

Grid = tuple[str, list[str], list[list[str]]]  # title, header, rows


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def _with_std(m: Margin) -> str:
    return f"{_pct(m.mean)} ({_pct(m.std)})"


def rate_grid(title: str, table: RateTable, groups: tuple[str, ...], languages: tuple[str, ...],
              counts: bool = False) -> Grid:
    """Rates per group and language with the margins; ``counts`` adds each cell's hits/annotations."""
    header = ["% (hits/n)" if counts else "", *(l.upper() for l in languages), "mean (std)"]

    def cell(group: str, language: str) -> str:
        c = table.cell(group, language)
        return _pct(c.rate) + (f" ({c.hits}/{c.n})" if counts else "")

    rows = [[g, *(cell(g, l) for l in languages), _with_std(table.group_means[g])] for g in groups]
    rows.append(["mean (σ_gd)", *(_with_std(table.language_means[l]) for l in languages), ""])
    return title, header, rows


def grids(result: ClozeResult) -> list[Grid]:
    """The P@k tables, the human baseline, the cell counts and the data checks."""
    g, l = result.groups, result.languages
    out = [rate_grid(f"P@{k} of {result.model} (%)", t, g, l, counts=True) for k, t in result.precision.items()]
    out.append(rate_grid("Human baseline: annotators who gave the original word (%)", result.human, g, l))
    counts = [[grp, *(f"{result.human.cell(grp, lang).n} ({result.human.cell(grp, lang).multi_word})"
                      for lang in l)] for grp in g]
    out.append(("Annotations per cell (of which multi-word answers)", ["", *(x.upper() for x in l)], counts))
    report = result.report
    checks = [["rows read", str(sum(report.rows.values()))]]
    for kind, counter in (("dropped", report.dropped), ("no group", report.ungrouped), ("note", report.notes)):
        checks += [[f"{kind}: {reason}", str(n)] for reason, n in sorted(counter.items())]
    out.append(("Data checks (MozArt)", ["check", "rows"], checks))
    return out


def rich_tables(result: ClozeResult) -> list[Table]:
    tables = []
    for title, header, rows in grids(result):
        table = Table(title=title)
        for column in header:
            table.add_column(column, justify="right" if column not in ("", "check") else "left")
        for row in rows:
            table.add_row(*row)
        tables.append(table)
    return tables


def markdown(result: ClozeResult) -> str:
    parts = []
    for title, header, rows in grids(result):
        lines = [f"**{title}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
