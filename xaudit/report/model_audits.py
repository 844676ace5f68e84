"""The group-fairness section on the neural reference models ``credit`` (German) and ``income`` (Adult).

Each model decides its own training table (the shared data folder); the report then audits
those decisions by group (as ``xaudit fairness --model``), changes one protected input at a
time (counterfactual flips), attributes the favourable score by group (integrated gradients
from the typical applicant, on a seeded sample of rows) and states reasons for a few refused
applicants. Without the shared data, ``build.py`` keeps the synthetic credit example.
"""

from __future__ import annotations

from pathlib import Path

from ..fairness import AuditSettings
from ..models.decisions import DEFAULT_THRESHOLD
from ..fairness.attribution_groups import run_attribution_by_group
from ..fairness.counterfactual import run_counterfactual
from ..fairness.model_decisions import model_decisions, run_model_fairness
from ..fairness.reasons import refusal_reasons
from ..progress import ProgressFn, silent
from .document import GroupFairnessAudit, LL144Section, ModelAuditSection

MODELS = {"credit": ("sex", "age_group"), "income": ("sex", "race")}
"""Reference models and the groupings (card groupings or table columns) their decisions are audited by."""
ATTRIBUTION_ROWS = 1000
REFUSALS = 3
METHOD = "ig"


def tables(data_dir: Path | None) -> dict[str, Path] | None:
    """Each model's training table in ``data_dir``, or None when one is missing."""
    from ..models.registry import card_of

    if data_dir is None:
        return None
    found = {name: data_dir / card_of(name)["data"]["file"] for name in MODELS}
    return found if all(path.is_file() for path in found.values()) else None


def swappable(adapter) -> tuple[list[str], list[str]]:
    """Protected inputs a counterfactual can change (categorical, with a card map or two categories), and
    notes on those it cannot."""
    columns = {c.name: c for c in adapter.schema.columns}
    maps = adapter.audit.get("counterfactuals") or {}
    chosen, notes = [], []
    for name in adapter.audit.get("protected") or ():
        column = columns.get(name)
        if column is not None and column.kind == "categorical" and (name in maps or len(column.categories) == 2):
            chosen.append(name)
        elif column is not None:
            what = "numeric" if column.kind == "numeric" else \
                f"categorical with {len(column.categories)} categories and no map in the card"
            notes.append(f"no counterfactual for {name}: only a categorical input with a card map or two "
                         f"categories is changed ({name} is {what})")
    return chosen, notes


def audits(data: dict[str, Path], settings: AuditSettings, seed: int, progress: ProgressFn = silent,
           ) -> tuple[list[GroupFairnessAudit], list[ModelAuditSection]]:
    """Group audits of each model's decisions, and its counterfactual, attribution and reasons section."""
    from ..models import load_model

    group_audits, sections = [], []
    for name, path in data.items():
        adapter = load_model(name)
        for grouping in MODELS[name]:
            result, _ = run_model_fairness(model=name, data=path, group_cols=[grouping], settings=settings,
                                           progress=progress)
            group_audits.append(GroupFairnessAudit(
                f"{name} on {path.name} by {grouping}", path.name, [grouping],
                f"Decisions of the neural reference model {name} ({adapter.labels[adapter.favourable_index()]!r} "
                f"when its score >= {DEFAULT_THRESHOLD:g}) on every row of {path.name}, which it was partly "
                "trained on.", result))
        attributes, notes = swappable(adapter)
        flips = [run_counterfactual(model=name, data=path, counterfactual=a, settings=settings, progress=progress)
                 for a in attributes]
        attribution = run_attribution_by_group(model=name, data=path, explain=METHOD, settings=settings,
                                               max_rows=ATTRIBUTION_ROWS, progress=progress)
        made = model_decisions(model=name, data=path, adapter=adapter, progress=progress)
        reasons = refusal_reasons(adapter, made.inputs, made.decisions.scores, made.decisions.threshold,
                                  method=METHOD, n=REFUSALS, seed=seed)
        sections.append(ModelAuditSection(name, path.name, flips, attribution, reasons, notes))
    return group_audits, sections


LL144_MODELS = {"income": ("sex", "race")}
"""Models whose decisions get the NYC Local Law 144 tables, and their sex and race/ethnicity columns."""


def ll144_sections(data: dict[str, Path], progress: ProgressFn = silent) -> list[LL144Section]:
    """The LL144 impact-ratio tables of each model in ``LL144_MODELS`` on its table."""
    from ..fairness.ll144 import run_ll144

    return [LL144Section(f"{name} on {data[name].name} by {' × '.join(columns)}",
                         run_ll144(model=name, data=data[name], group_cols=list(columns), progress=progress))
            for name, columns in LL144_MODELS.items() if name in data]
