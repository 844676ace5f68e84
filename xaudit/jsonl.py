"""JSON Lines input: one JSON object per non-blank line, errors naming the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import DataError


def read_objects(path: str | Path, what: str = "file") -> list[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of ``path``.

    DataError for an unreadable file (``cannot read {what} PATH``), or a line that is not
    valid JSON or not a JSON object (``PATH:LINE: ...``).
    """
    return list(iter_objects(path, what))


def iter_objects(path: str | Path, what: str = "file") -> Iterator[tuple[int, dict[str, Any]]]:
    """:func:`read_objects` a line at a time (for files too large to hold)."""
    for number, line in iter_lines(path, what):
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise DataError(f"{path}:{number}: expected a JSON object, got {type(value).__name__}")
        yield number, value


def iter_lines(path: str | Path, what: str = "file") -> Iterator[tuple[int, str]]:
    """``(line number, line)`` for each non-blank line of ``path``, read lazily; DataError naming ``what``
    when it cannot be read."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield number, line.rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {what} {path}: {exc}") from None
