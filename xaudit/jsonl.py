"""JSON Lines input: one JSON object per non-blank line, errors naming the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import DataError


def read_objects(path: str | Path, what: str = "file") -> list[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of ``path``.

    DataError for an unreadable file (``cannot read {what} PATH``), or a line that is not
    valid JSON or not a JSON object (``PATH:LINE: ...``).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {what} {path}: {exc}") from None
    objects = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise DataError(f"{path}:{number}: expected a JSON object, got {type(value).__name__}")
        objects.append((number, value))
    return objects
