"""Where xaudit finds shared data and its shipped reference models."""

from __future__ import annotations

import os
from pathlib import Path


DATA_DIR_ENV = "XAUDIT_DATA_DIR"
CACHE_DIR_ENV = "XAUDIT_CACHE_DIR"
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


def cache_dir() -> Path:
    """Where derived data (parsed corpus sentences) is cached: ``$XAUDIT_CACHE_DIR``, else ``~/.cache/xaudit``."""
    chosen = os.environ.get(CACHE_DIR_ENV)
    return Path(chosen) if chosen else Path.home() / ".cache" / "xaudit"
