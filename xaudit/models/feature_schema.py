"""The declared input columns of a tabular model and how rows become its input tensor.

Numeric columns are standardised with the training split's mean and standard deviation;
categorical columns are one-hot over the categories listed in the schema (values compare
as text). The schema is stored in the model card (``card["schema"]``), so a model folder
alone knows how to read a table. ``typical`` is the training split's median (numeric) or
mode (categorical): the default attribution baseline, "the typical applicant".

Encoded rows are laid out ``(rows, columns, width)``: one slot per numeric column and one
per category, zero-padded to the widest column, so attribution methods see one "unit" per
original column (as they see one per token) and sums over a column's slots add its
one-hot parts. ``flat_index`` picks the used slots, in order, for the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from ..errors import DataError, ModelError

NUMERIC, CATEGORICAL = "numeric", "categorical"


@dataclass(frozen=True)
class Column:
    """One input column: ``numeric`` (``mean``, ``std``) or ``categorical`` (``categories``)."""

    name: str
    kind: str
    typical: float | str
    mean: float = 0.0
    std: float = 1.0
    categories: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        return 1 if self.kind == NUMERIC else len(self.categories)

    def to_dict(self) -> dict[str, Any]:
        if self.kind == NUMERIC:
            return {"name": self.name, "kind": NUMERIC, "mean": self.mean, "std": self.std, "typical": self.typical}
        return {"name": self.name, "kind": CATEGORICAL, "categories": list(self.categories), "typical": self.typical}


@dataclass(frozen=True)
class FeatureSchema:
    """The model's input columns, in order, with what is needed to encode them."""

    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def width(self) -> int:
        return max(c.width for c in self.columns)

    @property
    def n_features(self) -> int:
        """Length of the encoded vector the network reads."""
        return sum(c.width for c in self.columns)

    def flat_index(self) -> torch.Tensor:
        """Positions of the used slots in the flattened ``(columns * width)`` layout, in column order."""
        return torch.tensor([i * self.width + j for i, c in enumerate(self.columns) for j in range(c.width)])

    def to_dict(self) -> dict[str, Any]:
        return {"columns": [c.to_dict() for c in self.columns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureSchema:
        try:
            columns = tuple(
                Column(c["name"], NUMERIC, float(c["typical"]), float(c["mean"]), float(c["std"]))
                if c["kind"] == NUMERIC else
                Column(c["name"], CATEGORICAL, str(c["typical"]), categories=tuple(map(str, c["categories"])))
                for c in data["columns"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"the model card's feature schema is invalid: {exc!r}") from None
        if not columns:
            raise ModelError("the model card's feature schema declares no columns")
        return cls(columns)

    @classmethod
    def fit(cls, frame: pd.DataFrame, train: np.ndarray, numeric: Sequence[str],
            categorical: Sequence[str]) -> FeatureSchema:
        """Statistics from the ``train`` rows; categories from every row (the codes the data can hold)."""
        columns = []
        for name in frame.columns:
            if name in numeric:
                values = pd.to_numeric(frame[name].iloc[train]).astype(float)
                std = float(values.std(ddof=0)) or 1.0
                columns.append(Column(name, NUMERIC, float(values.median()), float(values.mean()), std))
            elif name in categorical:
                text = frame[name].astype(str)
                columns.append(Column(name, CATEGORICAL, str(text.iloc[train].mode().iloc[0]),
                                      categories=tuple(sorted(text.unique()))))
        return cls(tuple(columns))

    def typical_frame(self) -> pd.DataFrame:
        """One row: the typical value of every column."""
        return pd.DataFrame([{c.name: c.typical for c in self.columns}])

    def encode(self, frame: pd.DataFrame, first_row: int = 0) -> torch.Tensor:
        """Rows as ``(rows, columns, width)`` float32; DataError naming the column and row of the first bad value.

        Rows are numbered from ``first_row`` (0-based, as in ``xaudit predict``'s ``row``).
        """
        self._require_columns(frame)
        reads = [_read(column, frame[column.name].reset_index(drop=True)) for column in self.columns]
        if any(bad.any() for _, bad in reads):
            raise DataError(str(self.unreadable(frame, first_row)[1]))
        out = np.zeros((len(frame), len(self.columns), self.width), dtype=np.float32)
        for i, (column, (read, _)) in enumerate(zip(self.columns, reads)):
            if column.kind == NUMERIC:
                out[:, i, 0] = read
            else:
                out[np.arange(len(frame)), i, read] = 1.0
        return torch.from_numpy(out)

    def unreadable(self, frame: pd.DataFrame, first_row: int = 0) -> tuple[np.ndarray, str | None]:
        """The rows :meth:`encode` would refuse (a boolean mask) and the problem of the first of them."""
        self._require_columns(frame)
        bad_rows = np.zeros(len(frame), dtype=bool)
        first: tuple[int, str] | None = None
        for column in self.columns:
            values = frame[column.name].reset_index(drop=True)
            bad = _read(column, values)[1]
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                if first is None or row < first[0]:
                    first = (row, _problem(column, values, row, first_row))
                bad_rows |= bad
        return bad_rows, (first[1] if first else None)

    def _require_columns(self, frame: pd.DataFrame) -> None:
        missing = [name for name in self.names if name not in frame.columns]
        if missing:
            raise DataError(f"column {missing[0]!r} that the model reads is missing; it needs: "
                            f"{', '.join(self.names)}")


def _read(column: Column, values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column's values as the model reads them (numeric: standardised; categorical: category index)
    and the mask of rows it cannot read (missing, not a number, unseen category)."""
    missing = values.isna().to_numpy()
    if column.kind == NUMERIC:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
        return (numbers - column.mean) / column.std, missing | np.isnan(numbers)
    codes = pd.Index(column.categories).get_indexer(values.map(_text))
    return np.maximum(codes, 0), missing | (codes < 0)


def _problem(column: Column, values: pd.Series, row: int, first_row: int) -> str:
    """What is wrong with ``values[row]``, naming the column and the table row."""
    where = f"column {column.name!r}, row {first_row + row}"
    value = values[row]
    if pd.isna(value):
        return f"{where}: missing value"
    if column.kind == NUMERIC:
        return f"{where}: {value!r} is not a number"
    shown = ", ".join(column.categories[:12]) + (" ..." if len(column.categories) > 12 else "")
    return f"{where}: unseen category {_text(value)!r}; the model knows: {shown}"


def _text(value: object) -> str:
    """A value as the text it compares as (``1.0`` read from a float column is ``1``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
