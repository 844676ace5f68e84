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


def favourable_scores(adapter: ModelAdapter, frame: pd.DataFrame, batch_size: int = BATCH_ROWS,
                      progress: ProgressFn = silent, first_row: int = 0) -> np.ndarray:
    """The probability of the favourable class for every row, ``batch_size`` rows per forward pass
    (``first_row``: the table row of ``frame``'s first, for errors)."""
    tabular = require_tabular(adapter)
    favourable = tabular.favourable_index()
    chunks = []
    for start in range(0, len(frame), batch_size):
        batch = tabular.encode(frame.iloc[start:start + batch_size], first_row=first_row + start)
        with torch.no_grad():
            chunks.append(torch.softmax(tabular.forward(batch).double(), dim=-1)[:, favourable].cpu().numpy())
        progress("predicting", min(start + batch_size, len(frame)), len(frame))
    return np.concatenate(chunks)


@dataclass(frozen=True)
class Decisions(JsonResult):
    """A tabular model's decision for every row of a table: ``prediction`` (label) and ``score``."""

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


def decide(adapter: ModelAdapter, source: str | Path | pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD,
           extra_columns: Sequence[str] = (), batch_size: int = BATCH_ROWS, progress: ProgressFn = silent,
           ) -> tuple[Decisions, pd.DataFrame]:
    """Decisions of a tabular model on every row of ``source``, and the rows it read: the model's
    columns and ``extra_columns`` (such as the label and group columns), as text from text files."""
    tabular = require_tabular(adapter)
    threshold = check_float("threshold", threshold, minimum=0, maximum=1)
    frame = read_rows(source, list(dict.fromkeys([*tabular.schema.names, *extra_columns])), progress)
    scores = favourable_scores(tabular, frame, batch_size, progress)
    favourable = tabular.labels[tabular.favourable_index()]
    other = next(label for label in tabular.labels if label != favourable)
    return Decisions(tabular.name, (other, favourable), threshold, np.arange(len(frame)), scores), frame


def decide_chunks(adapter: ModelAdapter, source: str | Path | pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD,
                  extra_columns: Sequence[str] = (), chunk_rows: int | None = None, batch_size: int = BATCH_ROWS,
                  progress: ProgressFn = silent) -> Iterator[tuple[Decisions, pd.DataFrame]]:
    """:func:`decide` a chunk of rows at a time; row numbers count from the table's first row."""
    tabular = require_tabular(adapter)
    threshold = check_float("threshold", threshold, minimum=0, maximum=1)
    favourable = tabular.labels[tabular.favourable_index()]
    other = next(label for label in tabular.labels if label != favourable)
    start = 0
    for frame in iter_row_chunks(source, list(dict.fromkeys([*tabular.schema.names, *extra_columns])), chunk_rows,
                                 progress):
        scores = favourable_scores(tabular, frame, batch_size, progress, first_row=start)
        yield Decisions(tabular.name, (other, favourable), threshold, np.arange(start, start + len(frame)),
                        scores), frame
        start += len(frame)
