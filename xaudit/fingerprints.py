"""SHA-256 fingerprints of what an audit read (its table, a model's weights), so that two audits can say
whether they looked at the same data and the same model (``xaudit diff``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_sha256(spec: str) -> str | None:
    """One SHA-256 over a model folder's weight files (name and content, in name order); None for a hub id
    or a folder without weights."""
    from .models.registry import model_folder

    folder = model_folder(spec)
    files = sorted(p for p in folder.iterdir() if p.suffix in WEIGHT_SUFFIXES) if folder.is_dir() else []
    if not files:
        return None
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + file_sha256(path).encode())
    return digest.hexdigest()
