"""Group fairness of classifiers: statistical parity, performance parity, accuracy equality.

Predictions (or counts) -> ``GroupCounts`` -> ``group_fairness`` -> ``FairnessResult``.

Names are loaded on first use, so that importing a light submodule (``examples``) does
not pay for pandas and scipy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOMES = {
    "AuditSettings": "audit", "group_fairness": "audit", "GroupCounts": "counts", "Definition": "groups",
    "Grouping": "groups", "parse_definition": "groups", "read_definitions": "groups", "LoadReport": "loading",
    "PredictionColumns": "loading", "count_arrays": "loading", "load_counts": "loading",
    "load_predictions": "loading", "FairnessResult": "result",
}

__all__ = [
    "AuditSettings", "Definition", "FairnessResult", "GroupCounts", "Grouping", "LoadReport", "PredictionColumns",
    "count_arrays", "group_fairness", "load_counts", "load_predictions", "parse_definition",
    "read_definitions",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
