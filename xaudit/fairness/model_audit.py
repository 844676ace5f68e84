"""One audit of a tabular model's decisions: group fairness, counterfactual flips and attribution by group.

model + table ─► decisions, a chunk of rows at a time ─┬─► group fairness (``fairness_of``, DESIGN.md §2)
                                                      └─► counterfactual flips per protected input (``FlipTally``)
model + whole table ─► attribution by group with protected and proxy shares (``attribution_of``)

What ``xaudit fairness --model M --data TABLE --counterfactual ATTR --explain METHOD`` writes: the
compliance question "is it fair across groups?" and the legal one "does the decision depend on
a protected attribute, and through which inputs?" answered on the same decisions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ParameterError
from ..progress import ProgressFn, silent
from ..schema import JsonResult, check_envelope, envelope
from .association import DEFAULT_PROXY_THRESHOLD
from .attribution_groups import DEFAULT_MAX_ROWS, AttributionByGroup, attribution_of
from .audit import AuditSettings
from .counterfactual import CounterfactualResult, FlipTally, counterfactual_plan
from .model_decisions import (ModelDecisions, check_table_path, fairness_of, iter_model_decisions, plan_decisions,
                              training_data_note, write_table)
from .result import FairnessResult


@dataclass(frozen=True)
class ModelFairnessAudit(JsonResult):
    """A tabular model's decisions audited by group, with counterfactual flips and attribution by group."""

    kind = "model_fairness_audit"

    model: str
    fairness: FairnessResult
    counterfactuals: tuple[CounterfactualResult, ...]
    attribution: AttributionByGroup | None

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {
            "model": self.model, "group_fairness": self.fairness.to_dict(),
            "counterfactual": [c.to_dict() for c in self.counterfactuals],
            "attribution_by_group": None if self.attribution is None else self.attribution.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelFairnessAudit:
        data = check_envelope(data, cls.kind)
        attribution = data["attribution_by_group"]
        return cls(data["model"], FairnessResult.from_dict(data["group_fairness"]),
                   tuple(CounterfactualResult.from_dict(c) for c in data["counterfactual"]),
                   None if attribution is None else AttributionByGroup.from_dict(attribution))

    def to_frame(self) -> pd.DataFrame:
        """Each part's table one under the other, told apart by the leading ``part`` column."""
        parts = [("group_fairness", self.fairness.to_frame()),
                 *(("counterfactual", c.to_frame()) for c in self.counterfactuals),
                 *([("attribution_by_group", self.attribution.to_frame())] if self.attribution else [])]
        return pd.concat([frame.assign(model=self.model).pipe(_lead, part) for part, frame in parts],
                         ignore_index=True)


def _lead(frame: pd.DataFrame, part: str) -> pd.DataFrame:
    rest = [c for c in frame.columns if c not in ("part", "model")]
    return frame.assign(part=part)[["part", "model", *rest]]


def run_model_audit(
    *, model: str, data: str | Path | pd.DataFrame | None, counterfactual: Sequence[str] = (),
    explain: str | None = None, groups: Sequence[str] = (), strict: bool = False,
    settings: AuditSettings | None = None, proxy_threshold: float = DEFAULT_PROXY_THRESHOLD,
    max_rows: int = DEFAULT_MAX_ROWS, save_predictions: str | Path | None = None, progress: ProgressFn = silent,
    **choices: Any,
) -> tuple[ModelFairnessAudit, list[str]]:
    """Audit the decisions of tabular ``model`` on ``data`` (see module docstring).

    ``counterfactual``: protected inputs (or card groupings read from one, e.g. ``sex``) to change one at
    a time, each ``ATTR`` or ``ATTR=FROM:TO,...``; ``explain``: an attribution method for attribution by
    group (at most ``max_rows`` rows, seeded). ``choices`` (label_col, positive, threshold, group_cols,
    definitions, device) go to :func:`~xaudit.fairness.model_decisions.plan_decisions`. The group audit and
    the flips read the table a chunk of rows at a time in one pass (flat memory); attribution by group
    reads it whole in a second pass. Returns the audit and warnings.
    """
    from ..attribution.registry import build_methods
    from ..models.decisions import DroppedRows, decide

    settings = settings or AuditSettings()
    check_table_path("save_predictions", save_predictions)
    decision_plan = plan_decisions(model=model, data=data, strict=strict, **choices)
    adapter = decision_plan.adapter
    plans = [counterfactual_plan(decision_plan, text) for text in counterfactual]  # every check before the data
    repeated = [p.attribute for i, p in enumerate(plans) if p.attribute in [q.attribute for q in plans[:i]]]
    if repeated:
        raise ParameterError(f"`counterfactual` changes {repeated[0]!r} twice; name each input once")
    if explain is not None and decision_plan.text is not None:
        raise ParameterError("`explain` (attribution by group) applies to tabular models; explain a text "
                             "classifier's texts with xaudit attribute")
    if explain is not None:
        build_methods([explain], {})[0].check_supported(adapter)
    tallies = [FlipTally() for _ in plans]
    saved: list[pd.DataFrame] = []

    def chunks() -> Iterator[ModelDecisions]:
        for made in iter_model_decisions(decision_plan, progress=progress):
            for tally, plan in zip(tallies, plans):
                tally.add(made, plan, progress)
            if save_predictions is not None:
                saved.append(made.table)
            yield made

    fairness, warnings = fairness_of(decision_plan, chunks(), groups, strict, settings, progress)
    flips = tuple(tally.result(decision_plan, plan, groups, settings) for tally, plan in zip(tallies, plans))
    attribution = None
    if explain is not None:
        again = None if decision_plan.dropped is None else DroppedRows()  # counted in the first pass
        whole = decision_plan.finish(*decide(adapter, decision_plan.data, threshold=decision_plan.threshold,
                                             extra_columns=decision_plan.needed, progress=progress, dropped=again))
        attribution = attribution_of(whole, explain, groups, settings, proxy_threshold, max_rows, progress)
    if save_predictions is not None:
        write_table(pd.concat(saved, ignore_index=True), Path(save_predictions))
    return ModelFairnessAudit(adapter.name, fairness, flips, attribution), \
        decision_plan.warnings() + warnings + training_data_note(model, decision_plan.data)
