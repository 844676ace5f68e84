"""Predictions tallied by an engine: one row per distinct (group columns, label, prediction) with its count.

An engine that holds the rows (DuckDB, Spark) groups them and counts each combination; only the
combinations reach :func:`~xaudit.fairness.loading.load_predictions`, which applies its usual rules
to them (0/1 or ``positive`` labels, missing values counted and dropped, groups) weighted by the
counts, so the audit equals that of the rows themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

ROWS = "__xaudit_rows__"
"""The column holding the count of rows of each combination."""
DECISION = "__xaudit_decision__"
"""The decision an engine derives from a score column: 1 when ``score >= threshold``, 0 below, null when the
score is missing (then it takes the place of the prediction column)."""


@dataclass(frozen=True)
class TalliedRows:
    """The combinations (group columns, label, prediction or :data:`DECISION`) and their count (:data:`ROWS`)."""

    table: pa.Table
    name: str

    def __str__(self) -> str:
        return self.name
