"""From a tabular model and a table to decisions: one label and score per row (``xaudit predict --data``).

``score`` is the model's probability of the favourable class; the decision is favourable
when ``score >= threshold`` (0.5 by default, which for two classes is the most probable
class). Every row is checked before any result exists, so a bad value fails the whole call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..errors import DataError, ModelError, ParameterError
from ..progress import ProgressFn, silent
from ..schema import JsonResult, check_envelope, envelope
from ..validation import check_float
from .base import ModelAdapter

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_THRESHOLD = 0.5
BATCH_ROWS = 4096
TEXT_BATCH_ROWS = 64


def require_tabular(adapter: ModelAdapter) -> Any:
    """``adapter`` if it reads tables, else a ModelError naming its kind."""
    from .tabular import TabularAdapter

    if not isinstance(adapter, TabularAdapter):
        raise ModelError(f"model {adapter.name!r} is a {adapter.kind} model; decisions on a table need a tabular "
                         "model (credit, income, or a folder whose card has a feature schema)")
    return adapter


def read_rows(source: str | Path | pd.DataFrame, columns: Sequence[str], progress: ProgressFn = silent,
              ) -> pd.DataFrame:
    """``columns`` of a CSV, Parquet or JSONL table (or DataFrame), every value read as text from text files.

    A column the table lacks is a DataError (the data does not fit the model).
    """
    import pandas as pd

    return pd.concat(list(iter_row_chunks(source, columns, progress=progress)), ignore_index=True)


def iter_row_chunks(source: str | Path | pd.DataFrame, columns: Sequence[str], chunk_rows: int | None = None,
                    progress: ProgressFn = silent) -> Iterator[pd.DataFrame]:
    """:func:`read_rows` a chunk of about ``chunk_rows`` rows at a time (the readers' default when None)."""
    from ..fairness.tables import CHUNK_ROWS, iter_batches, source_name

    empty = True
    try:
        for batch in iter_batches(source, list(columns), text_columns=list(columns), progress=progress,
                                  chunk_rows=chunk_rows or CHUNK_ROWS):
            if batch.num_rows:
                empty = False
                yield batch.to_pandas()
    except ParameterError as exc:
        raise DataError(str(exc)) from None
    if empty:
        raise DataError(f"{source_name(source)} holds no rows")


@dataclass(frozen=True)
class TextRows:
    """How a text classifier reads a table: the ``column`` of texts, and the class (index) whose
    probability is the score, the favourable one."""

    column: str
    favourable: int


def read_columns(adapter: ModelAdapter, text: TextRows | None = None) -> list[str]:
    """The table columns the model reads: a tabular model's schema, or a text classifier's text column."""
    return [text.column] if text is not None else list(require_tabular(adapter).schema.names)


def decision_labels(adapter: ModelAdapter, text: TextRows | None = None) -> tuple[str, str]:
    """(unfavourable, favourable) labels: the other class of two, or ``not FAVOURABLE`` of more."""
    index = text.favourable if text is not None else require_tabular(adapter).favourable_index()
    labels = [str(label) for label in adapter.labels]
    others = [label for i, label in enumerate(labels) if i != index]
    return (others[0] if len(others) == 1 else f"not {labels[index]}"), labels[index]


def favourable_scores(adapter: ModelAdapter, frame: pd.DataFrame, batch_size: int | None = None,
                      progress: ProgressFn = silent, first_row: int = 0, text: TextRows | None = None) -> np.ndarray:
    """The probability of the favourable class for every row, ``batch_size`` rows per forward pass
    (``first_row``: the table row of ``frame``'s first, for errors; ``text``: how a text classifier
    reads the rows, None for a tabular model)."""
    model = adapter if text is not None else require_tabular(adapter)
    favourable = text.favourable if text is not None else model.favourable_index()
    batch_size = batch_size or (TEXT_BATCH_ROWS if text is not None else BATCH_ROWS)
    chunks = []
    for start in range(0, len(frame), batch_size):
        rows = frame.iloc[start:start + batch_size]
        batch = model.encode(texts_of(rows, text.column, first_row + start)) if text is not None else \
            model.encode(rows, first_row=first_row + start)
        with torch.no_grad():
            chunks.append(torch.softmax(model.forward(batch).double(), dim=-1)[:, favourable].cpu().numpy())
        progress("predicting", min(start + batch_size, len(frame)), len(frame))
    return np.concatenate(chunks) if chunks else np.zeros(0)


def texts_of(rows: pd.DataFrame, column: str, first_row: int) -> list[str]:
    """The texts of ``column``; a missing one is a DataError naming its table row."""
    values = rows[column]
    missing = np.flatnonzero(values.isna().to_numpy())
    if len(missing):
        raise DataError(f"column {column!r}, row {first_row + int(missing[0])}: no text")
    return values.astype(str).tolist()


@dataclass(frozen=True)
class Decisions(JsonResult):
    """A tabular model's (or text classifier's) decision for every row of a table: ``prediction`` (label) and
    ``score``."""

    kind = "decisions"

    model: str
    labels: tuple[str, str]
    """(unfavourable, favourable)."""
    threshold: float
    rows: np.ndarray
    scores: np.ndarray

    @property
    def favourable(self) -> np.ndarray:
        return self.scores >= self.threshold

    @property
    def predictions(self) -> list[str]:
        return [self.labels[int(f)] for f in self.favourable]

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {
            "model": self.model, "favourable_label": self.labels[1], "unfavourable_label": self.labels[0],
            "threshold": self.threshold,
            "decisions": [{"row": int(r), "prediction": p, "score": float(s)}
                          for r, p, s in zip(self.rows, self.predictions, self.scores)]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decisions:
        data = check_envelope(data, cls.kind)
        rows = data["decisions"]
        return cls(data["model"], (data["unfavourable_label"], data["favourable_label"]), data["threshold"],
                   np.array([r["row"] for r in rows], dtype=np.int64), np.array([r["score"] for r in rows], float))

    def to_frame(self) -> pd.DataFrame:
        """One row per input row: ``row`` (0-based position in the table), ``prediction``, ``score``."""
        import pandas as pd

        return pd.DataFrame({"row": self.rows, "prediction": self.predictions, "score": self.scores})


@dataclass
class DroppedRows:
    """Rows of a table that a tabular model cannot read (missing value, not a number, unseen category),
    left out instead of failing the call: how many, and the problem of the first."""

    count: int = 0
    first: str | None = None

    def warnings(self) -> list[str]:
        if not self.count:
            return []
        rows = f"{self.count:,} row{'s' if self.count != 1 else ''}"
        return [f"dropped {rows} the model cannot read (first: {self.first}); --strict fails on them instead"]


def readable_rows(adapter: ModelAdapter, frame: pd.DataFrame, first_row: int, dropped: DroppedRows | None,
                  text: TextRows | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` without the rows the model cannot read (counted in ``dropped``; None keeps them all, so
    that encoding fails on the first), and the table row numbers of the rows kept."""
    rows = np.arange(first_row, first_row + len(frame))
    if dropped is None or text is not None:
        return frame, rows
    bad, problem = require_tabular(adapter).schema.unreadable(frame, first_row)
    if bad.any():
        dropped.count += int(bad.sum())
        dropped.first = dropped.first or problem
        frame, rows = frame[~bad], rows[~bad]
    return frame, rows


def decide(adapter: ModelAdapter, source: str | Path | pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD,
           extra_columns: Sequence[str] = (), batch_size: int | None = None, progress: ProgressFn = silent,
           text: TextRows | None = None, dropped: DroppedRows | None = None) -> tuple[Decisions, pd.DataFrame]:
    """Decisions of a tabular model (or, with ``text``, a text classifier) on every row of ``source``, and
    the rows it read: the model's columns and ``extra_columns`` (such as the label and group columns),
    as text from text files. With ``dropped``, rows the model cannot read are left out and counted there."""
    threshold = check_float("threshold", threshold, minimum=0, maximum=1)
    frame = read_rows(source, list(dict.fromkeys([*read_columns(adapter, text), *extra_columns])), progress)
    frame, rows = readable_rows(adapter, frame, 0, dropped, text)
    scores = favourable_scores(adapter, frame, batch_size, progress, text=text)
    return Decisions(adapter.name, decision_labels(adapter, text), threshold, rows, scores), frame


def decide_chunks(adapter: ModelAdapter, source: str | Path | pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD,
                  extra_columns: Sequence[str] = (), chunk_rows: int | None = None, batch_size: int | None = None,
                  progress: ProgressFn = silent, text: TextRows | None = None, dropped: DroppedRows | None = None,
                  ) -> Iterator[tuple[Decisions, pd.DataFrame]]:
    """:func:`decide` a chunk of rows at a time; row numbers count from the table's first row (a chunk
    whose rows are all dropped yields nothing)."""
    threshold = check_float("threshold", threshold, minimum=0, maximum=1)
    labels = decision_labels(adapter, text)
    start = 0
    for chunk in iter_row_chunks(source, list(dict.fromkeys([*read_columns(adapter, text), *extra_columns])),
                                 chunk_rows, progress):
        frame, rows = readable_rows(adapter, chunk, start, dropped, text)
        if len(frame):
            scores = favourable_scores(adapter, frame, batch_size, progress, first_row=start, text=text)
            yield Decisions(adapter.name, labels, threshold, rows, scores), frame
        start += len(chunk)
