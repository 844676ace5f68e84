"""The group-fairness section: audit decision tables by each of their groupings."""

from __future__ import annotations

from ..fairness import AuditSettings, Grouping, PredictionColumns, group_fairness, load_predictions
from ..datasets.decision_tables import DecisionTable
from ..progress import ProgressFn, silent
from .document import GroupFairnessAudit


def audits(tables: list[DecisionTable], settings: AuditSettings, progress: ProgressFn = silent) -> list[GroupFairnessAudit]:
    """One audit per table and grouping."""
    results = []
    jobs = [(table, grouping) for table in tables for grouping in table.groupings]
    for done, (table, grouping) in enumerate(jobs, start=1):
        loaded = load_predictions(table.frame, PredictionColumns(table.label, table.prediction),
                                  Grouping(columns=grouping))
        result = group_fairness(loaded.counts, settings, source=loaded.describe() | {"data": table.name})
        results.append(GroupFairnessAudit(f"{table.name} by {' × '.join(grouping)}", table.name, list(grouping),
                                          table.description, result))
        progress("group fairness", done, len(jobs))
    return results
