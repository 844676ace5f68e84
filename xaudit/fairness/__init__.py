"""Group fairness of classifiers: statistical parity, performance parity, accuracy equality.

Predictions (or counts) -> ``GroupCounts`` -> ``group_fairness`` -> ``FairnessResult``.
"""

from .audit import AuditSettings, group_fairness
from .counts import GroupCounts
from .groups import Definition, Grouping, parse_definition, read_definitions
from .loading import LoadReport, PredictionColumns, count_arrays, load_counts, load_predictions
from .result import FairnessResult

__all__ = [
    "AuditSettings", "Definition", "FairnessResult", "GroupCounts", "Grouping", "LoadReport", "PredictionColumns",
    "count_arrays", "group_fairness", "load_counts", "load_predictions", "parse_definition",
    "read_definitions",
]
