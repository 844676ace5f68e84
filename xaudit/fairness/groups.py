"""Which group each row belongs to: the values of one or more columns, or named definitions.

``--group-cols sex,race`` gives intersectional groups such as ``Female/Black``. Definitions
combine conditions on several columns, which is how MozArt's groups are formed from its
0/1 flags: ``MN=male:1&native:1``, ``FN=female:1&native:1``, ``MNN=male:1&native:0`` and
``FNN=female:1&native:0``. Values always compare as text.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataError, ParameterError
from .tables import Columnar

GROUP_SEPARATOR = "/"
"""Joins the values of several group columns into one intersectional group name."""
MISSING = -1
"""Group code of a row whose group column is empty (dropped and counted)."""
UNMATCHED = -2
"""Group code of a row that matches no definition (outside the audit, not an error)."""


@dataclass(frozen=True)
class Definition:
    """A named group: rows where every ``column`` holds one of its accepted values."""

    name: str
    conditions: tuple[tuple[str, tuple[str, ...]], ...]

    def __str__(self) -> str:
        return "&".join(f"{column}:{'|'.join(values)}" for column, values in self.conditions)


def parse_definition(text: str) -> Definition:
    """``MN=sex:male&native:1``; ``|`` separates accepted values (``personal_status:A91|A93``)."""
    name, sep, body = text.partition("=")
    conditions = []
    for term in body.split("&") if sep else []:
        column, colon, values = term.partition(":")
        accepted = tuple(v.strip() for v in values.split("|"))
        if not colon or not column.strip() or not all(accepted):
            conditions = []
            break
        conditions.append((column.strip(), accepted))
    if not name.strip() or not conditions:
        raise ParameterError(
            f"cannot read the group definition {text!r}; write NAME=COLUMN:VALUE&COLUMN:VALUE, "
            "e.g. 'MN=sex:male&native:1' ('|' between accepted values)"
        )
    return Definition(name.strip(), tuple(conditions))


def read_definitions(path: str | Path) -> list[Definition]:
    """Definitions from a TOML or JSON mapping ``{name: {column: value or [values]}}``.

    ``MN = { sex = "male", native = 1 }`` in TOML; lists give alternatives.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        mapping = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except FileNotFoundError:
        raise DataError(f"group definition file not found: {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"cannot read group definitions from {path}: {exc}") from None
    if not isinstance(mapping, dict) or not mapping or not all(
        isinstance(rule, dict) and rule for rule in mapping.values()
    ):
        raise DataError(f"{path}: expected a mapping of group names to {{column: value}} tables")
    return [
        Definition(str(name), tuple((str(column), _accepted(value)) for column, value in rule.items()))
        for name, rule in mapping.items()
    ]


def _accepted(value: object) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    # Booleans as Arrow writes them, so that `flag = true` matches a boolean column.
    return tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in values)


@dataclass(frozen=True)
class Grouping:
    """Groups from ``columns`` (intersectional when several) or from ``definitions``."""

    columns: tuple[str, ...] = ()
    definitions: tuple[Definition, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.columns) == bool(self.definitions):
            raise ParameterError("give the groups either as group columns (`group_cols`) or as "
                                 "definitions (`define` / `define_file`), not both or neither")
        names = [d.name for d in self.definitions]
        if len(set(names)) != len(names):
            raise ParameterError(f"group definitions repeat a name: {', '.join(names)}")

    @property
    def needed_columns(self) -> tuple[str, ...]:
        """Every column the grouping reads, in first-use order."""
        used = list(self.columns) + [column for d in self.definitions for column, _ in d.conditions]
        return tuple(dict.fromkeys(used))

    def roles(self) -> list[tuple[str, list[str]]]:
        """(role, columns) for :func:`~xaudit.fairness.roles.check_roles`."""
        return [("group_cols", list(self.columns)),
                ("define", [column for d in self.definitions for column, _ in d.conditions])]

    def describe(self) -> dict[str, object]:
        if self.columns:
            return {"group_cols": list(self.columns)}
        return {"definitions": {d.name: str(d) for d in self.definitions}}

    def encode(self, table: Columnar) -> tuple[np.ndarray, list[str]]:
        """Group code of every row (an index into the names, or MISSING / UNMATCHED) and the names."""
        if self.definitions:
            return _definition_codes(table, self.definitions)
        return _intersection_codes([_column_codes(table.column(c)) for c in self.columns])

    def order(self, names: Sequence[str]) -> list[str]:
        """Report order: definition order for definitions, else sorted by name.

        A definition that matched no row is an error (most likely a misspelt value).
        """
        if self.definitions:
            present = set(names)
            missing = [d.name for d in self.definitions if d.name not in present]
            if missing:
                raise DataError(f"group {missing[0]!r} ({self._definition(missing[0])}) matches no rows")
            return [d.name for d in self.definitions]
        return sorted(names)

    def _definition(self, name: str) -> Definition:
        return next(d for d in self.definitions if d.name == name)


def as_text(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Values as Arrow strings (dictionary-encoded columns are decoded)."""
    return array if pa.types.is_string(array.type) else pc.cast(array, pa.string())


def _column_codes(array: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_null(array.type):
        return np.full(len(array), MISSING, dtype=np.int64), []
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    codes = array.indices.fill_null(MISSING).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, as_text(array.dictionary).to_pylist()


def _intersection_codes(parts: list[tuple[np.ndarray, list[str]]]) -> tuple[np.ndarray, list[str]]:
    if len(parts) == 1:
        return parts[0]
    sizes = [max(len(names), 1) for _, names in parts]
    if np.prod(sizes, dtype=float) >= 2.0**62:
        raise DataError("too many combinations of group values to form intersectional groups")
    missing = np.zeros(len(parts[0][0]), dtype=bool)
    combined = np.zeros(len(parts[0][0]), dtype=np.int64)
    for (codes, _), size in zip(parts, sizes):
        missing |= codes < 0
        combined = combined * size + codes
    present, inverse = np.unique(combined[~missing], return_inverse=True)
    codes = np.full(len(combined), MISSING, dtype=np.int64)
    codes[~missing] = inverse
    indices = np.unravel_index(present, sizes)
    names = [GROUP_SEPARATOR.join(str(parts[k][1][i[k]]) for k in range(len(parts))) for i in zip(*indices)]
    return codes, names


def _definition_codes(table: Columnar, definitions: Sequence[Definition]) -> tuple[np.ndarray, list[str]]:
    texts: dict[str, pa.Array | pa.ChunkedArray] = {}
    codes = np.full(table.num_rows, UNMATCHED, dtype=np.int64)
    for index, definition in enumerate(definitions):
        mask = np.ones(table.num_rows, dtype=bool)
        for column, values in definition.conditions:
            if column not in texts:
                texts[column] = as_text(table.column(column))
            hit = pc.is_in(texts[column], value_set=pa.array(values, pa.string())).fill_null(False)
            mask &= hit.to_numpy(zero_copy_only=False)
        clash = mask & (codes >= 0)
        if clash.any():
            other = definitions[codes[clash][0]].name
            raise DataError(f"group definitions overlap: rows match both {other!r} and {definition.name!r}")
        codes[mask] = index
    return codes, [d.name for d in definitions]

