"""Shared fixtures: tiny reference models trained in seconds, and the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import transformers

transformers.utils.logging.disable_progress_bar()

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory) -> Path:
    """All four reference recipes trained at the ``tiny`` preset (a few seconds)."""
    from xaudit.training.recipes import train

    root = tmp_path_factory.mktemp("tiny_models")
    for name in ("bert", "lstm", "cnn", "vit"):
        train(name, root / name, seed=0, preset="tiny")
    return root


@pytest.fixture(scope="session")
def tiny_adapters(tiny_models_dir):
    from xaudit.models.loading import load_folder

    return {name: load_folder(tiny_models_dir / name, name=name, allow_pickle=False, device="cpu")
            for name in ("bert", "lstm", "cnn", "vit")}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared data folder (``$XAUDIT_DATA_DIR`` or ../shared/data); skip when absent."""
    chosen = Path(os.environ.get("XAUDIT_DATA_DIR", SHARED_DATA))
    if not chosen.is_dir():
        pytest.skip(f"shared data folder not found at {chosen} (set XAUDIT_DATA_DIR)")
    return chosen
