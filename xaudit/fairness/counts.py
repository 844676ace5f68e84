"""Per-group confusion counts: the one input every classification fairness metric needs.

A row with true label ``y`` and prediction ``ŷ`` (both 0/1) falls in cell ``2·y + ŷ``:
0 = true negative, 1 = false positive, 2 = false negative, 3 = true positive. Counts from
chunks of a file, or from a warehouse ``GROUP BY``, are simply added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError

CELLS = ("tn", "fp", "fn", "tp")
"""Cell names in cell-index order (index = 2·y + ŷ)."""


@dataclass(frozen=True, eq=False)
class GroupCounts:
    """Confusion counts per group: ``cells[g]`` holds (tn, fp, fn, tp) of group ``groups[g]``."""

    groups: tuple[str, ...]
    cells: np.ndarray

    def __post_init__(self) -> None:
        cells = np.asarray(self.cells, dtype=np.int64)
        if cells.shape != (len(self.groups), len(CELLS)):
            raise ValueError(f"cells must have shape ({len(self.groups)}, 4); got {cells.shape}")
        if len(set(self.groups)) != len(self.groups):
            raise ValueError("group names must be unique")
        if (cells < 0).any():
            raise DataError("confusion counts must not be negative")
        cells.setflags(write=False)
        object.__setattr__(self, "cells", cells)
        object.__setattr__(self, "groups", tuple(self.groups))

    @classmethod
    def from_codes(
        cls, codes: np.ndarray, cell: np.ndarray, names: Sequence[str], weights: np.ndarray | None = None
    ) -> GroupCounts:
        """Tally rows: ``codes`` index into ``names``, ``cell`` is 2·y + ŷ, ``weights`` repeat a row.

        One vectorised ``bincount``; codes must be valid indices (filter missing rows first).
        """
        size = len(names) * len(CELLS)
        key = np.asarray(codes, dtype=np.int64) * len(CELLS) + np.asarray(cell, dtype=np.int64)
        tally = np.bincount(key, weights=weights, minlength=size)
        if weights is not None:
            tally = np.rint(tally)
        return cls(tuple(names), tally.astype(np.int64).reshape(len(names), len(CELLS)))

    def __getitem__(self, cell: str) -> np.ndarray:
        """``counts["tp"]``: one cell across groups."""
        return self.cells[:, CELLS.index(cell)]

    @property
    def n(self) -> np.ndarray:
        """Rows per group."""
        return self.cells.sum(axis=1)

    @property
    def total(self) -> int:
        return int(self.cells.sum())

    def __add__(self, other: GroupCounts) -> GroupCounts:
        """Counts of both, aligned by group name (groups of either side, first-seen order)."""
        mine = set(self.groups)
        names = list(self.groups) + [g for g in other.groups if g not in mine]
        index = {name: i for i, name in enumerate(names)}
        cells = np.zeros((len(names), len(CELLS)), dtype=np.int64)
        for part in (self, other):
            cells[[index[g] for g in part.groups]] += part.cells
        return GroupCounts(tuple(names), cells)

    def select(self, groups: Sequence[str]) -> GroupCounts:
        """Only ``groups``, in that order; an unknown name is an error listing the existing ones."""
        index = {name: i for i, name in enumerate(self.groups)}
        unknown = [g for g in groups if g not in index]
        if unknown:
            listed = ", ".join(self.groups)
            raise ParameterError(f"unknown group {unknown[0]!r} in `groups`; the data has: {listed}")
        if len(set(groups)) != len(groups):
            raise ParameterError("`groups` names a group more than once")
        return GroupCounts(tuple(groups), self.cells[[index[g] for g in groups]])

    def to_frame(self) -> pd.DataFrame:
        """One row per group: ``group, tp, fp, tn, fn, n`` (the ``--counts`` file layout)."""
        frame = pd.DataFrame({"group": list(self.groups)})
        for cell in ("tp", "fp", "tn", "fn"):
            frame[cell] = self[cell]
        frame["n"] = self.n
        return frame
