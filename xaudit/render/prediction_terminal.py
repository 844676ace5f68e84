"""Rich tables of predictions (input, predicted label, probability, true label) and of a tabular model's decisions."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..models.decisions import Decisions
from ..models.predict import Predictions


def render(result: Predictions) -> list[Table]:
    table = Table(title=f"Predictions of {result.model}")
    for column in ("input", "prediction", "probability", "true label"):
        table.add_column(column)
    for row in result.rows:
        table.add_row(Text(row.input), Text(row.label), f"{row.probability:.3f}", Text(row.true_label or ""))
    return [table]


def render_decisions(result: Decisions, most: int = 20) -> list[Table]:
    """The first ``most`` decisions, and how many rows were decided favourably."""
    favourable = int(result.favourable.sum())
    table = Table(title=f"Decisions of {result.model} (score = P({result.labels[1]}), favourable when score >= "
                        f"{result.threshold:g}): {favourable:,} of {len(result.rows):,} rows {result.labels[1]}")
    for column in ("row", "prediction", "score"):
        table.add_column(column)
    for row, label, score in list(zip(result.rows, result.predictions, result.scores))[:most]:
        table.add_row(str(row), Text(label), f"{score:.3f}")
    if len(result.rows) > most:
        table.caption = f"first {most} rows shown; --format csv or json for all"
    return [table]
