"""Shared fixtures: tiny reference models trained in seconds (a tiny ``mlm`` on a synthetic corpus), the shipped
reference models (which learned their tasks), and the shared data folder; ``require`` for tests that need
something the machine may lack."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest
import transformers

transformers.utils.logging.disable_progress_bar()

from tests.cloze.synthetic import LEIPZIG_CODES, WORDS, gutenberg_book, sentences

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def on_ci() -> bool:
    """True where the environment says CI (``CI=true``, as GitHub Actions, GitLab and most runners set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require(available: bool, reason: str) -> None:
    """Skip the calling test when ``available`` is false, with ``reason``; on CI fail instead.

    Every test that needs something a machine may lack (the shared data folder, Chromium) asks
    through here, so that CI cannot be green without running the real-data and browser tests.
    """
    if available:
        return
    if on_ci():
        pytest.fail(f"CI=true, but this test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory) -> Path:
    """All four reference recipes trained at the ``tiny`` preset (a few seconds)."""
    from xaudit.training.recipes import train

    root = tmp_path_factory.mktemp("tiny_models")
    for name in ("bert", "lstm", "cnn", "vit"):
        train(name, root / name, seed=0, preset="tiny")
    return root


@pytest.fixture(scope="session")
def tiny_tabular_dir(tmp_path_factory) -> Path:
    """A random-weight tabular MLP over a synthetic applicant table (``tests/tabular_synthetic.py``)."""
    from tests.tabular_synthetic import write_tiny_tabular

    return write_tiny_tabular(tmp_path_factory.mktemp("models") / "credit")


@pytest.fixture(scope="session")
def zoo_folder(tmp_path_factory):
    """``zoo_folder(name)``: the folder of zoo model ``name`` (tests/zoo.py), built once per session."""
    from tests.zoo import build

    root = tmp_path_factory.mktemp("zoo")
    built: dict[str, Path] = {}

    def folder(name: str) -> Path:
        if name not in built:
            built[name] = build(name, root)
        return built[name]

    return folder


@pytest.fixture(scope="session")
def tiny_adapters(tiny_models_dir, tiny_mlm_dir, tiny_tabular_dir, zoo_folder):
    """One tiny model of every kind in ``loading.ADAPTERS``, by its example reference name (the causal LM, a zoo
    GPT-2, explaining " he" against " she")."""
    from xaudit.models.loading import ADAPTERS, load_folder

    folders = {name: tiny_models_dir / name for name in ("bert", "lstm", "cnn", "vit")} | {
        "mlm": tiny_mlm_dir, "credit": tiny_tabular_dir, "gpt2-lm": zoo_folder("gpt2-lm")}
    assert {kind.example for kind in ADAPTERS.values()} <= set(folders)
    adapters = {name: load_folder(folder, name=name, allow_pickle=False, device="cpu")
                for name, folder in folders.items()}
    adapters["gpt2-lm"] = adapters["gpt2-lm"].with_continuation(" he", " she")
    return adapters


def shared_data_dir() -> Path:
    """The shared data folder (``$XAUDIT_DATA_DIR`` or ../shared/data); skip when absent (fail on CI)."""
    chosen = Path(os.environ.get("XAUDIT_DATA_DIR", SHARED_DATA))
    require(chosen.is_dir(), f"shared data folder not found at {chosen} (set XAUDIT_DATA_DIR)")
    return chosen


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return shared_data_dir()


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


LEARNED = {"bert": 0.95, "lstm": 0.95, "cnn": 0.9, "vit": 0.9}
"""The accuracy each shipped classifier must reach on its first held-out examples (chance: 0.5, 0.5, 0.1, 0.1)."""


def assert_learned(name: str, adapter) -> float:
    """Accuracy of ``adapter`` on the first 200 held-out examples of reference model ``name``'s task,
    asserted to reach ``LEARNED[name]``."""
    import torch

    from xaudit.datasets.reference import held_out_examples
    from xaudit.models.registry import card_of

    split = held_out_examples(card_of(name), 200)
    predicted = adapter.predict_proba(adapter.encode(split.inputs)).argmax(dim=-1)
    accuracy = float((predicted == torch.tensor(split.labels)).double().mean())
    assert accuracy >= LEARNED[name], f"{name} reaches {accuracy:.3f} < {LEARNED[name]} on held-out examples"
    return accuracy


class LearnedModels(Mapping):
    """The shipped reference models by name, each loaded on first use (a test run that needs only ``bert``
    loads only it) and, if a classifier, checked by ``assert_learned`` before it is handed out."""

    names = (*LEARNED, "mlm")

    def __init__(self) -> None:
        self._loaded: dict[str, object] = {}

    def __getitem__(self, name: str):
        if name not in self.names:
            raise KeyError(name)
        if name not in self._loaded:
            from xaudit.models import load_model

            adapter = load_model(name)
            if name in LEARNED:
                assert_learned(name, adapter)
            self._loaded[name] = adapter
        return self._loaded[name]

    def __iter__(self):
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


@pytest.fixture(scope="session")
def trained_adapters() -> LearnedModels:
    """The shipped reference models, which learned their tasks (tests that compare values need signal:
    the tiny models are at chance). Each classifier's accuracy on 200 held-out examples is checked
    when it is first used, so a silent regression to chance fails every test that uses it; ``mlm`` is the
    masked LM."""
    return LearnedModels()
