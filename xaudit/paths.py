"""Where xaudit finds shared data and its shipped reference models."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError

DATA_DIR_ENV = "XAUDIT_DATA_DIR"
SHIPPED_MODELS_DIR = Path(__file__).parent / "models" / "shipped"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The shared data folder: ``explicit``, else ``$XAUDIT_DATA_DIR``, else None."""
    chosen = explicit if explicit is not None else os.environ.get(DATA_DIR_ENV)
    return Path(chosen) if chosen else None


def default_data_dir() -> Path | None:
    """``$XAUDIT_DATA_DIR``, else ``../shared/data`` from the working folder when it exists, else None."""
    chosen = data_dir()
    if chosen is not None:
        return chosen
    beside = Path("..") / "shared" / "data"
    return beside.resolve() if beside.is_dir() else None


def require_data_file(relative: str, explicit: str | os.PathLike[str] | None = None) -> Path:
    """Path of ``relative`` inside the data folder; DataError naming what is missing."""
    root = data_dir(explicit)
    if root is None:
        raise DataError(f"no data folder given: pass --data-dir or set {DATA_DIR_ENV}")
    path = root / relative
    if not path.exists():
        raise DataError(f"data file not found: {path}")
    return path
