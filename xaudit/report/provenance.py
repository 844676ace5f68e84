"""Provenance of a report: command, seed, machine, package versions, data and weight hashes."""

from __future__ import annotations

import hashlib
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from .document import FileRecord, ModelRecord

PACKAGES = ("xaudit", "torch", "transformers", "captum", "numpy", "pandas", "scipy", "networkx", "jinja2",
            "safetensors", "scikit-learn", "pyarrow")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_record(path: Path) -> FileRecord:
    return FileRecord(str(path), path.stat().st_size, sha256(path))


def packages() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def machine() -> str:
    return f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def model_record(name: str, kind: str, task: str, folder: Path, card: dict[str, Any]) -> ModelRecord:
    """A model's record from its card (which may be empty: a hub id or a folder without one)."""
    weights = folder / "model.safetensors"
    return ModelRecord(
        name, kind, task, card.get("description", ""), (card.get("metrics") or {}).get("test_accuracy"),
        card.get("parameters"), card.get("seed"), card.get("device"), card.get("wall_time_s"),
        sha256(weights) if weights.exists() else None, card)
