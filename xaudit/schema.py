"""The JSON every result and command writes: one envelope, one version, one reader.

Every document starts with ``schema_version``, ``kind`` and ``xaudit_version``; each
result type has ``to_dict`` / ``from_dict`` / ``to_json`` / ``from_json`` (and ``to_frame``),
and ``from_dict(to_dict())`` gives back an equal result.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, TypeVar

from ._version import __version__
from .errors import DataError

SCHEMA_VERSION = 1
R = TypeVar("R", bound="JsonResult")


def envelope(kind: str) -> dict[str, Any]:
    """The fields every JSON document starts with."""
    return {"schema_version": SCHEMA_VERSION, "kind": kind, "xaudit_version": __version__}


def check_envelope(data: object, kind: str) -> dict[str, Any]:
    """``data`` as a dict if it is a ``kind`` document of this schema version, else DataError."""
    if not isinstance(data, dict):
        raise DataError(f"expected a JSON object of kind {kind!r}, got {type(data).__name__}")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise DataError(f"unsupported schema_version {version!r} for {kind!r} (expected {SCHEMA_VERSION})")
    if data.get("kind", kind) != kind:
        raise DataError(f"expected a JSON document of kind {kind!r}, got {data.get('kind')!r}")
    return data


def dumps(payload: Any, indent: int | None = 2) -> str:
    """JSON text as every command writes it (UTF-8 kept, NaN refused)."""
    return json.dumps(payload, indent=indent, ensure_ascii=False, allow_nan=False)


class JsonResult:
    """``to_json``/``from_json`` for a result type that defines ``kind``, ``to_dict`` and ``from_dict``."""

    kind: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        raise NotImplementedError

    def to_json(self, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent)

    @classmethod
    def from_json(cls: type[R], text: str) -> R:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"not JSON: {exc}") from None
        return cls.from_dict(data)
