"""Turn a predictions table, or a table of per-group counts, into GroupCounts.

Predictions are read in chunks and counted chunk by chunk (counts add up), so the whole
file is never in memory. Rows with a missing label, prediction or group are counted and
dropped (``strict=True`` refuses them instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataError, ParameterError
from ..progress import ProgressFn, silent
from ..validation import check_float
from .counts import CELLS, GroupCounts
from .groups import MISSING, UNMATCHED, Grouping, as_text
from .tables import CHUNK_ROWS, Source, iter_batches, source_name
from .sql import SqlQuery, tallied_rows
from .tallies import DECISION, ROWS, TalliedRows

DEFAULT_THRESHOLD = 0.5
NON_BINARY = ("{role} column {column!r} is not 0/1 (values include {examples}); "
              "name the favourable label with `positive`")


@dataclass(frozen=True)
class PredictionColumns:
    """Where labels and predictions are: a 0/1 (or ``positive``) prediction, or a score and threshold.

    A score counts as a positive prediction when ``score >= threshold``.
    """

    label: str
    prediction: str | None = None
    score: str | None = None
    threshold: float | None = None
    positive: str | None = None

    def __post_init__(self) -> None:
        if (self.prediction is None) == (self.score is None):
            raise ParameterError("give the prediction column (`pred_col`) or a score column (`score_col`), "
                                 "one of the two")
        if self.score is None and self.threshold is not None:
            raise ParameterError("`threshold` applies to a score column; give `score_col`")
        if self.score is not None:
            threshold = DEFAULT_THRESHOLD if self.threshold is None else self.threshold
            object.__setattr__(self, "threshold", check_float("threshold", threshold))

    def describe(self) -> dict[str, object]:
        return {key: value for key, value in asdict(self).items() if value is not None}


@dataclass
class LoadReport:
    """What happened to the rows: read, dropped for missing values, outside the audited groups."""

    rows_read: int = 0
    missing_label: int = 0
    missing_prediction: int = 0
    missing_group: int = 0
    dropped: int = 0
    excluded: int = 0
    columns: dict[str, object] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        """One message per kind of dropped row (none when nothing was dropped)."""
        reasons = [(self.missing_label, "label"), (self.missing_prediction, "prediction"),
                   (self.missing_group, "group value")]
        return [f"dropped {count:,} rows with a missing {what}" for count, what in reasons if count]

    def rows(self) -> dict[str, int]:
        return {key: value for key, value in asdict(self).items() if key != "columns"}


@dataclass(frozen=True)
class Loaded:
    """Counts and what the reading did; ``describe()`` is the ``source`` of a FairnessResult."""

    counts: GroupCounts
    report: LoadReport
    source: str
    kind: str

    def describe(self) -> dict[str, object]:
        return {"data": self.source, "input": self.kind, "columns": self.report.columns, "rows": self.report.rows()}


def load_predictions(
    source: Source,
    columns: PredictionColumns,
    grouping: Grouping,
    *,
    groups: Sequence[str] | None = None,
    strict: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    progress: ProgressFn = silent,
) -> Loaded:
    """Confusion counts per group from a predictions table (CSV, Parquet, JSONL, DataFrame, Arrow).

    ``groups`` selects and orders the groups reported. Labels (and predictions) must be 0/1
    unless ``columns.positive`` names the favourable value. ``source`` may also be rows an engine has
    tallied (:class:`~xaudit.fairness.tallies.TalliedRows`) or a DuckDB query
    (:class:`~xaudit.fairness.sql.SqlQuery`).
    """
    if isinstance(source, SqlQuery):
        source = tallied_rows(source, columns, grouping)
    tallied = isinstance(source, TalliedRows)
    if tallied:
        batches = [source.table]
    else:
        outcome = [c for c in (columns.label, columns.prediction, columns.score) if c is not None]
        text = list(grouping.needed_columns) + ([columns.label, columns.prediction] if columns.positive else [])
        batches = iter_batches(source, outcome + list(grouping.needed_columns), chunk_rows=chunk_rows,
                               text_columns=[c for c in text if c is not None],
                               float_columns=[columns.score] if columns.score else [], progress=progress)
    report = LoadReport(columns={**columns.describe(), **grouping.describe()})
    counts = GroupCounts((), np.zeros((0, len(CELLS)), dtype=np.int64))
    positive_seen, labels_seen = False, None
    for batch in batches:
        rows = batch.column(ROWS).to_numpy().astype(np.int64) if tallied else np.ones(batch.num_rows, np.int64)
        y = _binary(batch.column(columns.label), "label", columns.label, columns.positive)
        if columns.score is not None and tallied:
            y_hat = _floats(batch.column(DECISION), "decision")
        elif columns.score is not None:
            scores = _floats(batch.column(columns.score), f"score column {columns.score!r}")
            y_hat = np.where(np.isnan(scores), np.nan, scores >= columns.threshold)
        else:
            y_hat = _binary(batch.column(columns.prediction), "prediction", columns.prediction, columns.positive)
        codes, names = grouping.encode(batch)
        missing = {"label": np.isnan(y), "prediction": np.isnan(y_hat), "group": codes == MISSING}
        if strict:
            _refuse_missing({what: rows * mask for what, mask in missing.items()},
                            {"label": columns.label, "prediction": columns.prediction or columns.score,
                             "group": ", ".join(grouping.needed_columns)})
        keep = ~(missing["label"] | missing["prediction"] | missing["group"]) & (codes != UNMATCHED)
        report.rows_read += int(rows.sum())
        report.missing_label += int(rows[missing["label"]].sum())
        report.missing_prediction += int(rows[missing["prediction"]].sum())
        report.missing_group += int(rows[missing["group"]].sum())
        report.dropped += int(rows[missing["label"] | missing["prediction"] | missing["group"]].sum())
        report.excluded += int(rows[codes == UNMATCHED].sum())
        positive_seen = positive_seen or bool((y == 1).any() or (y_hat == 1).any())
        labels_seen = batch.column(columns.label) if labels_seen is None else labels_seen
        counts = counts + GroupCounts.from_codes(codes[keep], 2 * y[keep] + y_hat[keep], names,
                                                 weights=rows[keep].astype(np.float64) if tallied else None)
    if columns.positive is not None and report.rows_read and not positive_seen:
        raise ParameterError(f"`positive` {columns.positive!r} occurs in neither the label nor the prediction "
                             f"column; the labels are: {_unique_text(labels_seen)}")
    return _finish(counts, report, grouping, groups, source, "predictions")


def load_counts(
    source: Source, grouping: Grouping, *, groups: Sequence[str] | None = None, strict: bool = False,
    progress: ProgressFn = silent,
) -> Loaded:
    """GroupCounts from a table of group columns plus ``tp``, ``fp``, ``tn``, ``fn`` (one GROUP BY).

    Rows for the same group are added, so partial counts (per partition, per day) can be given.
    """
    batches = iter_batches(source, list(grouping.needed_columns) + list(CELLS),
                           text_columns=grouping.needed_columns, float_columns=CELLS, progress=progress)
    report = LoadReport(columns=grouping.describe())
    counts = GroupCounts((), np.zeros((0, len(CELLS)), dtype=np.int64))
    for batch in batches:
        cells = np.column_stack([_count_column(batch.column(cell), cell) for cell in CELLS])
        codes, names = grouping.encode(batch)
        weight = cells.sum(axis=1)
        if strict:
            _refuse_missing({"group": weight * (codes == MISSING)}, {"group": ", ".join(grouping.needed_columns)})
        report.rows_read += int(weight.sum())
        report.missing_group += int(weight[codes == MISSING].sum())
        report.dropped += int(weight[codes == MISSING].sum())
        report.excluded += int(weight[codes == UNMATCHED].sum())
        keep = codes >= 0
        counts = counts + GroupCounts.from_codes(
            np.repeat(codes[keep], len(CELLS)), np.tile(np.arange(len(CELLS)), int(keep.sum())),
            names, weights=cells[keep].ravel().astype(np.float64))
    return _finish(counts, report, grouping, groups, source, "counts")


def count_arrays(
    y_true: Sequence[object], y_pred: Sequence[object], sensitive_features: object, *, positive: str | None = None
) -> GroupCounts:
    """GroupCounts from arrays, like fairlearn's ``MetricFrame(y_true=, y_pred=, sensitive_features=)``.

    ``sensitive_features``: one array of group labels, or a DataFrame whose columns form
    intersectional groups. Missing values are an error here.
    """
    features = sensitive_features if isinstance(sensitive_features, pd.DataFrame) else pd.DataFrame(
        {getattr(sensitive_features, "name", None) or "group": np.asarray(sensitive_features)})
    features = features.rename(columns=str).reset_index(drop=True)
    table = features.assign(__y_true__=np.asarray(y_true), __y_pred__=np.asarray(y_pred))
    loaded = load_predictions(table, PredictionColumns("__y_true__", "__y_pred__", positive=positive),
                              Grouping(columns=tuple(features.columns)), strict=True)
    return loaded.counts


def _binary(array: pa.ChunkedArray | pa.Array, role: str, column: str, positive: str | None) -> np.ndarray:
    """0.0/1.0 per row, NaN where missing; 1 means ``== positive`` when that is given."""
    valid = pc.is_valid(array)
    if pa.types.is_floating(array.type):
        valid = pc.and_(valid, pc.invert(pc.is_nan(array).fill_null(True)))
    valid = valid.to_numpy(zero_copy_only=False)
    if positive is not None:
        hit = pc.equal(as_text(array), positive).fill_null(False).to_numpy(zero_copy_only=False)
        return np.where(valid, hit, np.nan)
    if not (pa.types.is_boolean(array.type) or pa.types.is_integer(array.type)
            or pa.types.is_floating(array.type) or pa.types.is_null(array.type)):
        raise DataError(NON_BINARY.format(role=role, column=column, examples=_unique_text(array)))
    values = _floats(array, f"{role} column {column!r}")
    bad = valid & (values != 0) & (values != 1)
    if bad.any():
        raise DataError(NON_BINARY.format(role=role, column=column, examples=_unique_text(pa.array(values[bad]))))
    return np.where(valid, values, np.nan)


def _refuse_missing(missing: dict[str, np.ndarray], where: dict[str, str]) -> None:
    """DataError for the first kind of missing value found (``--strict``); ``missing``: rows per row (0/1, or
    the count of a tallied combination)."""
    for what, rows in missing.items():
        if rows.any():
            raise DataError(f"{int(rows.sum()):,} rows with a missing {what} in {where[what]!r} "
                            "(`strict` refuses to drop them)")


def _unique_text(array: pa.ChunkedArray | pa.Array, most: int = 5) -> str:
    values = sorted(as_text(pc.unique(array.drop_null())).to_pylist())
    return ", ".join(repr(v) for v in values[:most]) + (", ..." if len(values) > most else "")


def _floats(array: pa.ChunkedArray | pa.Array, what: str) -> np.ndarray:
    """Values as float64 (NaN where missing); DataError naming ``what`` when not numeric."""
    try:
        return pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise DataError(f"{what} must be numeric; it holds {_unique_text(array)}") from None


def _count_column(array: pa.ChunkedArray | pa.Array, cell: str) -> np.ndarray:
    values = _floats(array, f"count column {cell!r}")
    if np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any():
        raise DataError(f"count column {cell!r} must hold whole numbers >= 0 in every row")
    return values.astype(np.int64)


def _finish(counts: GroupCounts, report: LoadReport, grouping: Grouping, groups: Sequence[str] | None,
            source: Source, kind: str) -> Loaded:
    if report.rows_read == 0:
        raise DataError(f"{source_name(source)} holds no rows")
    present = [g for g, n in zip(counts.groups, counts.n) if n > 0]
    if not present:
        raise DataError(f"no rows left to audit in {source_name(source)}: {report.dropped:,} dropped for missing "
                        f"values, {report.excluded:,} outside the groups")
    counts = counts.select(grouping.order(present))
    if groups:
        selected = counts.select(list(groups))
        report.excluded += counts.total - selected.total
        counts = selected
    return Loaded(counts, report, source_name(source), kind)
