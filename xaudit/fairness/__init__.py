"""Group fairness of classifiers: statistical parity, performance parity, accuracy equality.

Predictions (or counts) -> ``GroupCounts`` -> ``group_fairness`` -> ``FairnessResult``.

Names are loaded on first use, so that importing a light submodule (``examples``) does
not pay for pandas and scipy.
"""

from __future__ import annotations

from .._lazy import lazy_members

_HOMES = {
    "AuditSettings": ".audit", "group_fairness": ".audit", "GroupCounts": ".counts", "Definition": ".groups",
    "Grouping": ".groups", "parse_definition": ".groups", "read_definitions": ".groups", "LoadReport": ".loading",
    "PredictionColumns": ".loading", "count_arrays": ".loading", "load_counts": ".loading",
    "load_predictions": ".loading", "FairnessResult": ".result",
}
__all__ = sorted(_HOMES)
__getattr__, __dir__ = lazy_members(__name__, _HOMES)
