"""Fixtures: the tiny ``mlm`` (trained in tests/conftest.py) loaded as an adapter."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_mlm(tiny_mlm_dir):
    from xaudit.models.loading import load_folder

    return load_folder(tiny_mlm_dir, name="tiny-mlm", allow_pickle=False, device="cpu")
