"""Rich tables of a model's fairness audit: the group audit, then each counterfactual, then attribution by group."""

from __future__ import annotations

from rich.console import RenderableType

from ..fairness.model_audit import ModelFairnessAudit
from .attribution_groups_terminal import attribution_group_tables
from .counterfactual_terminal import counterfactual_tables
from .fairness_terminal import fairness_tables


def model_audit_tables(result: ModelFairnessAudit) -> list[RenderableType]:
    tables = fairness_tables(result.fairness)
    for flips in result.counterfactuals:
        tables += counterfactual_tables(flips)
    return tables + (attribution_group_tables(result.attribution) if result.attribution else [])
