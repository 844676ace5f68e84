"""Audit a tabular model's own decisions: run it on a table, then audit those decisions by group.

model + table ─► decisions (label, score) ─► GroupCounts ─► ``group_fairness`` (DESIGN.md §2).

The model card's ``audit`` section gives the defaults, each of which a caller may override:
the label column and its favourable value, and the groups. Group columns may be table
columns or groupings the card derives from one (``{"column": "personal_status", "map":
{...}}`` or ``{"column": "age", "cut": 25, "below": ..., "above": ...}``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import atomic
from ..errors import DataError, ModelError, ParameterError
from ..progress import ProgressFn, silent
from .audit import AuditSettings, group_fairness
from .groups import Definition, Grouping
from .loading import PredictionColumns, load_predictions
from .result import FairnessResult
from .tables import FORMATS

if TYPE_CHECKING:
    from ..models.decisions import Decisions, DroppedRows, TextRows

SAVED_COLUMNS = ("row", "prediction", "score")
DECISION_CHUNK_ROWS = 1 << 16
"""Rows decided at a time: the model's inputs, its decisions and (for flips) the changed copy of a chunk."""


@dataclass(frozen=True)
class AuditDefaults:
    """A card's ``audit`` section: label column, favourable value, derived groupings, default groups."""

    label_col: str | None = None
    favourable_value: str | None = None
    groupings: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_cols: tuple[str, ...] = ()

    @classmethod
    def from_card(cls, audit: dict[str, Any] | None) -> AuditDefaults:
        audit = audit or {}
        return cls(audit.get("label_col"), audit.get("favourable_value"), dict(audit.get("groupings") or {}),
                   tuple(audit.get("group_cols") or ()))

    def source_columns(self, group_cols: Sequence[str]) -> list[str]:
        """The table columns that ``group_cols`` (table columns or derived groupings) are read from."""
        return [self.groupings[c]["column"] if c in self.groupings else c for c in group_cols]


def derive(frame: pd.DataFrame, name: str, rule: dict[str, Any]) -> pd.Series:
    """A group column from a value ``map`` or a numeric ``cut`` (``below`` / ``above``); None where unmapped."""
    values = frame[rule["column"]]
    if "map" in rule:
        return values.astype("string").map(rule["map"]).astype(object).where(lambda s: s.notna(), None)
    if "cut" in rule:
        numbers = pd.to_numeric(values, errors="coerce")
        labels = np.where(numbers < rule["cut"], rule["below"], rule["above"]).astype(object)
        return pd.Series(np.where(numbers.isna(), None, labels), index=frame.index, name=name)
    raise ModelError(f"the model card's grouping {name!r} has neither a 'map' nor a 'cut'")


@dataclass(frozen=True)
class ModelDecisions:
    """A tabular model's decisions on a table, with what an audit of them needs.

    ``inputs``: the rows as the model read them; ``table``: ``row``, ``prediction``, ``score``,
    the label and the group columns (derived ones included), as ``save_predictions`` writes it.
    """

    adapter: Any
    decisions: Decisions
    inputs: pd.DataFrame
    table: pd.DataFrame
    grouping: Grouping
    columns: PredictionColumns
    data: str | Path | pd.DataFrame
    """The table read (the card's training table when none was given)."""
    text: TextRows | None = None
    """How a text classifier reads the rows; None for a tabular model."""


@dataclass(frozen=True)
class DecisionPlan:
    """What an audit of a model's decisions reads: the card's defaults with the caller's choices applied."""

    adapter: Any
    data: str | Path | pd.DataFrame
    threshold: float
    needed: list[str]
    """Table columns read besides the model's own: the label and the columns groups come from."""
    derived: dict[str, dict[str, Any]]
    """Groupings the card derives from a column (``sex`` from ``personal_status``), by name."""
    grouping: Grouping
    columns: PredictionColumns
    text: TextRows | None = None
    """How a text classifier reads the rows (``text_col``); None for a tabular model."""
    dropped: DroppedRows | None = None
    """Where rows the model cannot read are counted when they are left out; None: they fail the audit."""

    def warnings(self) -> list[str]:
        """What reading the table left out (after the decisions have been read)."""
        return self.dropped.warnings() if self.dropped is not None else []

    def finish(self, decisions: Decisions, frame: pd.DataFrame) -> ModelDecisions:
        """The decisions on the rows ``frame`` with the table an audit of them reads."""
        table = frame[list(dict.fromkeys(self.needed))].copy().reset_index(drop=True)
        for name, rule in self.derived.items():
            table[name] = derive(frame.reset_index(drop=True), name, rule)
        table = pd.concat([decisions.to_frame(), table.drop(columns=[*SAVED_COLUMNS], errors="ignore")], axis=1)
        return ModelDecisions(self.adapter, decisions, frame, table, self.grouping, self.columns, self.data,
                              self.text)


def plan_decisions(
    *, model: str, data: str | Path | pd.DataFrame | None, label_col: str | None = None,
    positive: str | None = None, threshold: float | None = None, group_cols: Sequence[str] = (),
    definitions: Sequence[Definition] = (), device: str = "cpu", adapter: Any = None, text_col: str | None = None,
    strict: bool = True,
) -> DecisionPlan:
    """Load ``model`` (unless its ``adapter`` is given): a tabular model, or with ``text_col`` a text
    classifier reading that column; fill in from its card the label column, favourable value and
    groups that are not given (``group_cols`` only when neither ``group_cols`` nor ``definitions`` are).
    A text classifier's favourable class is ``positive`` (a label or class index), else class 1 of two.
    Not ``strict``: rows a tabular model cannot read are left out and counted instead of failing."""
    from ..models import load_model
    from ..models.decisions import DEFAULT_THRESHOLD, DroppedRows, TextRows, require_tabular

    adapter = adapter or load_model(model, device=device)
    text = None
    if text_col is None:
        adapter = require_tabular(adapter)
        data = data if data is not None else trained_on_table(model)
    else:
        text = TextRows(text_col, favourable_class(adapter, positive))
        if data is None:
            raise ParameterError("`model` needs `data`: the table of rows the model decides on")
    defaults = AuditDefaults.from_card(getattr(adapter, "audit", None))
    label_col = label_col or defaults.label_col
    if label_col is None:
        raise ParameterError(f"the card of model {model!r} names no label column; give `label_col`")
    positive = positive if positive is not None else defaults.favourable_value or ("1" if text else None)
    chosen = list(group_cols) or ([] if definitions else list(defaults.group_cols))
    grouping = Grouping(columns=tuple(chosen), definitions=tuple(definitions))
    needed = [label_col, *defaults.source_columns(chosen),
              *(c for c in grouping.needed_columns if c not in defaults.groupings)]
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    columns = PredictionColumns(label_col, score="score", threshold=threshold, positive=positive)
    derived = {name: defaults.groupings[name] for name in chosen if name in defaults.groupings}
    return DecisionPlan(adapter, data, threshold, needed, derived, grouping, columns, text,
                        None if strict else DroppedRows())


def favourable_class(adapter: Any, positive: str | None) -> int:
    """The index of a text classifier's favourable class: the label (or index) ``positive``, else 1 of two."""
    labels = [str(label) for label in (getattr(adapter, "labels", None) or [])]
    if getattr(adapter, "modality", None) != "text" or not labels:
        raise ParameterError(f"`text_col` applies to text classifiers; model {adapter.name!r} is a "
                             f"{adapter.kind} model")
    if positive is None and len(labels) == 2:
        return 1
    if positive in labels:
        return labels.index(positive)
    if positive is not None and positive.isdigit() and int(positive) < len(labels):
        return int(positive)
    raise ParameterError(f"name the favourable class of model {adapter.name!r} with `positive`, one of its "
                         f"labels ({', '.join(labels)}) or a class index")


def model_decisions(*, progress: ProgressFn = silent, **choices: Any) -> ModelDecisions:
    """Run tabular ``model`` on every row of ``data`` at once; ``choices`` are those of :func:`plan_decisions`."""
    from ..models.decisions import decide

    plan = plan_decisions(**choices)
    return plan.finish(*decide(plan.adapter, plan.data, threshold=plan.threshold, extra_columns=plan.needed,
                               progress=progress, text=plan.text))


def iter_model_decisions(plan: DecisionPlan, chunk_rows: int = DECISION_CHUNK_ROWS, progress: ProgressFn = silent,
                         ) -> Iterator[ModelDecisions]:
    """The decisions of ``plan`` a chunk of rows at a time (row numbers count from the table's start), so
    that memory stays flat however long the table."""
    from ..models.decisions import decide_chunks

    for decisions, frame in decide_chunks(plan.adapter, plan.data, threshold=plan.threshold,
                                          extra_columns=plan.needed, chunk_rows=chunk_rows, progress=progress,
                                          text=plan.text, dropped=plan.dropped):
        yield plan.finish(decisions, frame)


def run_model_fairness(
    *, model: str, data: str | Path | pd.DataFrame | None, groups: Sequence[str] = (), strict: bool = False,
    settings: AuditSettings | None = None, save_predictions: str | Path | None = None,
    progress: ProgressFn = silent, **choices: Any,
) -> tuple[FairnessResult, list[str]]:
    """Run tabular ``model`` on ``data`` and audit its decisions (``score >= threshold`` is favourable).

    ``choices`` (label_col, positive, threshold, group_cols, definitions, device) go to
    :func:`model_decisions`; the card fills in those not given. ``save_predictions`` writes
    the decisions with the label and group columns (CSV, Parquet or JSONL by suffix) once the
    audit has succeeded. Returns the result and warnings.
    """
    check_table_path("save_predictions", save_predictions)
    plan = plan_decisions(model=model, data=data, strict=strict, **choices)
    saved: list[pd.DataFrame] = []
    chunks = (saved.append(made.table) or made for made in iter_model_decisions(plan, progress=progress)
              ) if save_predictions is not None else iter_model_decisions(plan, progress=progress)
    result, warnings = fairness_of(plan, chunks, groups, strict, settings, progress)
    if save_predictions is not None:
        write_table(pd.concat(saved, ignore_index=True), Path(save_predictions))
    return result, plan.warnings() + warnings + training_data_note(model, plan.data)


def fairness_of(plan: DecisionPlan, chunks: Iterable[ModelDecisions], groups: Sequence[str], strict: bool,
                settings: AuditSettings | None, progress: ProgressFn = silent) -> tuple[FairnessResult, list[str]]:
    """The group audit of the decisions in ``chunks`` (read one at a time), and the warnings of reading them."""
    loaded = load_predictions((made.table for made in chunks), plan.columns, plan.grouping, groups=groups,
                              strict=strict, progress=progress)
    unreadable = {} if plan.dropped is None else \
        {"unreadable_rows": {"dropped": plan.dropped.count, "first": plan.dropped.first}}
    return group_fairness(loaded.counts, settings, source=loaded.describe() | describe_source(plan) | unreadable), \
        loaded.report.warnings()


def group_codes(made: ModelDecisions, groups: Sequence[str] = ()) -> tuple[np.ndarray, list[str], list[str]]:
    """Each row's group code (-1: in none), the group names, and the groups chosen (``groups``, else all present,
    in the grouping's order); a chosen group that no row is in is a DataError."""
    codes, names = row_groups(made)
    present = [names[i] for i in np.unique(codes[codes >= 0])]
    return codes, names, chosen_groups(made.grouping, present, groups)


def row_groups(made: ModelDecisions) -> tuple[np.ndarray, list[str]]:
    """Each row's group code (-1: in none) and the group names the codes index."""
    import pyarrow as pa

    group_table = made.table[list(made.grouping.needed_columns)]
    codes, names = made.grouping.encode(pa.Table.from_pandas(group_table, preserve_index=False))
    return codes, list(names)


def chosen_groups(grouping: Grouping, present: Sequence[str], groups: Sequence[str] = ()) -> list[str]:
    """``groups``, else every group ``present`` in the grouping's order; a chosen group not present is a DataError."""
    chosen = list(groups) or grouping.order(list(present))
    unknown = [g for g in chosen if g not in present]
    if unknown:
        raise DataError(f"group {unknown[0]!r} is not among the groups: {', '.join(grouping.order(list(present)))}")
    return chosen


def describe_source(made: ModelDecisions | DecisionPlan) -> dict[str, object]:
    return {"data": "the table" if isinstance(made.data, pd.DataFrame) else str(made.data), "input": "model decisions",
            "model": made.adapter.name}


def check_table_path(name: str, path: str | Path | None) -> None:
    if path is not None and Path(path).suffix.lower() not in FORMATS:
        raise ParameterError(f"`{name}` must end in one of: {', '.join(sorted(FORMATS))}")


def trained_on_table(model: str) -> Path:
    """The table the model's card says it was trained on, in the shared data folder; else a DataError
    saying where to put it (or to give `data`)."""
    from ..models.registry import card_of
    from ..paths import DATA_DIR_ENV, default_data_dir

    file = (card_of(model).get("data") or {}).get("file")
    if file is None:
        raise ParameterError("`model` needs `data`: the table of rows the model decides on")
    root = default_data_dir()
    if root is None or not (root / file).is_file():
        raise DataError(f"give `data`, or put {file} in the shared data folder (../shared/data, or set "
                        f"{DATA_DIR_ENV}): model {model!r} was trained on it")
    return root / file


def training_data_note(model: str, data: object) -> list[str]:
    """A warning when ``data`` is the very file the model was trained on (the card's sha256)."""
    from ..datasets.decision_data import SPLIT, sha256
    from ..models.registry import card_of

    recorded = (card_of(model).get("data") or {}).get("sha256")
    if not recorded or isinstance(data, pd.DataFrame) or sha256(Path(data)) != recorded:
        return []
    return [f"{data} is the table model {model!r} was trained on ({SPLIT['train']:.0%} of its rows were training "
            "rows), so accuracy-based rates are optimistic"]


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as CSV, Parquet or JSONL (by suffix), written atomically."""
    kind = FORMATS.get(path.suffix.lower())
    if kind == "csv":
        atomic.write_text(path, frame.to_csv(index=False))
    elif kind == "jsonl":
        atomic.write_text(path, frame.to_json(orient="records", lines=True, force_ascii=False))
    elif kind == "parquet":
        import io

        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        atomic.write_all({path: buffer.getvalue()})
    else:
        raise DataError(f"cannot write {path}: unknown table type")
