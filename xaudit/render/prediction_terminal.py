"""A rich table of predictions: input, predicted label, probability, true label."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..models.predict import Predictions


def render(result: Predictions) -> list[Table]:
    table = Table(title=f"Predictions of {result.model}")
    for column in ("input", "prediction", "probability", "true label"):
        table.add_column(column)
    for row in result.rows:
        table.add_row(Text(row.input), Text(row.label), f"{row.probability:.3f}", Text(row.true_label or ""))
    return [table]
