"""Fixtures: a synthetic four-language corpus and a tiny ``mlm`` trained on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .synthetic import LEIPZIG_CODES, WORDS, gutenberg_book, sentences


@pytest.fixture(scope="session")
def synthetic_data(tmp_path_factory) -> Path:
    """A data folder with ``corpus/leipzig`` and ``corpus/gutenberg`` files in EN/ES/DE/FR."""
    root = tmp_path_factory.mktemp("data")
    (root / "corpus" / "leipzig").mkdir(parents=True)
    (root / "corpus" / "gutenberg").mkdir(parents=True)
    for i, language in enumerate(WORDS):
        text = "\n".join(sentences(language, 150, seed=i))
        (root / "corpus" / "leipzig" / f"{LEIPZIG_CODES[language]}_news_2020_10K.txt").write_text(text, "utf-8")
        book = gutenberg_book(f"book {language}", sentences(language, 60, seed=10 + i))
        (root / "corpus" / "gutenberg" / f"{language}_book.txt").write_text(book, "utf-8")
    (root / "corpus" / "gutenberg" / "LICENSE.txt").write_text("not a book", "utf-8")
    return root


@pytest.fixture(scope="session")
def tiny_mlm_dir(synthetic_data, tmp_path_factory) -> Path:
    """The ``mlm`` recipe at its tiny preset on the synthetic corpus (seconds)."""
    from xaudit.training.recipes import train

    folder = tmp_path_factory.mktemp("models") / "mlm"
    train("mlm", folder, seed=0, preset="tiny", data_dir=synthetic_data)
    return folder


@pytest.fixture(scope="session")
def tiny_mlm(tiny_mlm_dir):
    from xaudit.models.loading import load_folder

    return load_folder(tiny_mlm_dir, name="tiny-mlm", allow_pickle=False, device="cpu")
