"""Rich tables of an evaluation: one table per measure, methods by layer (the paper's layout), each cell the
mean and its 95% bootstrap interval; seconds per example, the paired tests in one line, the sanity check."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..evaluation.measures import measure_of
from ..evaluation.runner import EvaluationResult
from ..evaluation.sanity import sanity_grid


def render(result: EvaluationResult) -> list[object]:
    parts: list[object] = [Text(f"{result.model}: {result.n_examples} examples "
                                f"({result.settings.get('data', '')}); target: {result.settings['target']}",
                                style="bold")]
    layers = sorted({s.layer for s in result.summaries if s.layer is not None})
    unlayered = any(s.layer is None for s in result.summaries)
    for measure in result.measures():
        table = Table(title=f"{measure} ({measure_of(measure).direction})", title_justify="left")
        table.add_column("method")
        slots: list[int | None] = [*layers, *([None] if unlayered else [])]
        for slot in slots:
            table.add_column("score" if slot is None else f"L{slot}", justify="right")
        for method in result.methods:
            row = []
            for layer in slots:
                summary = result.get(method, measure, layer)
                if summary is None:
                    row.append("")
                elif summary.mean is None:
                    row.append("undefined")
                else:
                    row.append(f"{summary.mean:.3f} {interval(summary.ci_low, summary.ci_high)}"
                               + (f" ({summary.n_undefined} undef.)" if summary.n_undefined else ""))
            if any(row):
                table.add_row(Text(method), *row)
        parts.append(table)
    if result.seconds_per_example:
        parts.append(Text("seconds per example (attribution pass): " + ", ".join(
            f"{m} {v:.3g}" for m, v in sorted(result.seconds_per_example.items(), key=lambda kv: kv[1]))))
    if result.tests:
        significant = [t for t in result.tests if t.p_holm is not None and t.p_holm < 0.05]
        parts.append(Text(f"paired Wilcoxon signed-rank tests (Holm-corrected per measure): {len(significant)} of "
                          f"{len(result.tests)} method pairs differ at 0.05 (JSON/CSV: every test)"))
    if result.sanity:
        parts.append(sanity_table(result))
    return parts


def interval(low: float | None, high: float | None) -> str:
    """``[low, high]`` of a 95% interval, or nothing when there is none."""
    return "" if low is None or high is None else f"[{low:.3f}, {high:.3f}]"


def sanity_table(result: EvaluationResult) -> Table:
    """Methods by randomisation step: mean rank correlation [95% interval], and the verdict."""
    steps, rows = sanity_grid(result.sanity, result.methods)
    table = Table(title=f"sanity: rank correlation of |scores|, trained vs top k layers re-initialised (fails at "
                  f">= {result.settings.get('sanity_threshold')} with every layer random)", title_justify="left")
    table.add_column("method")
    for k, name in steps:
        table.add_column(f"k={k}: {name}", justify="right")
    table.add_column("verdict")
    verdicts = result.sanity_verdicts()
    for method, row in zip(result.methods, rows):
        verdict = verdicts.get(method)
        table.add_row(Text(method), *row, "undefined" if verdict is None else "passes" if verdict else "FAILS")
    return table
