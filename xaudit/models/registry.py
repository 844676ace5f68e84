"""The reference models that xaudit trains and ships: one record per model (kind, task, data, training)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..paths import SHIPPED_MODELS_DIR
from .cards import read_card

MODELS_DIR_ENV = "XAUDIT_MODELS_DIR"


@dataclass(frozen=True)
class ReferenceModel:
    """A model our own code trains: what it is, what it learns from, and how it is trained.

    ``trainer`` names the recipe function (``module:function``, imported only to train);
    ``presets`` its hyperparameters per size (``full``: the shipped model, ``tiny``: seconds,
    for tests); ``reads_corpus``: the recipe reads the shared data folder's text corpus.
    """

    name: str
    kind: str
    task: str
    description: str
    data: str
    trainer: str
    presets: dict[str, dict[str, Any]]
    reads_corpus: bool = False
    reads_tables: bool = False

    def recipe(self) -> Callable[..., dict[str, Any]]:
        module, function = self.trainer.split(":")
        return getattr(importlib.import_module(module), function)


_RECIPES = "xaudit.training.recipes"
_TABULAR = "xaudit.training.tabular"
_TABULAR_TINY = dict(hidden=(8,), dropout=0.0, epochs=1, batch_size=256, lr=3e-3, weight_decay=0.0)
_AGREEMENT = "subject-verb number agreement sentences from a documented English grammar (xaudit.datasets.agreement)"
_DIGITS = "scikit-learn's 8x8 handwritten digits (xaudit.datasets.digits)"

REFERENCE_MODELS: dict[str, ReferenceModel] = {model.name: model for model in (
    ReferenceModel(
        "bert", "transformer", "agreement",
        "BERT encoder (6 layers, 8 heads, hidden 128) on subject-verb number agreement", _AGREEMENT,
        f"{_RECIPES}:train_bert", {
            "full": dict(n_train=40_000, n_dev=4_000, n_test=10_000, hidden=128, layers=6, heads=8,
                         intermediate=512, epochs=4, batch_size=64, lr=3e-4),
            "tiny": dict(n_train=300, n_dev=100, n_test=100, hidden=16, layers=2, heads=2,
                         intermediate=32, epochs=1, batch_size=32, lr=1e-3)}),
    ReferenceModel(
        "gpt2-encoder", "transformer", "agreement",
        "GPT-2 blocks without the causal mask (6 layers, 8 heads, 128 dims), linear layer on [CLS]: Abnar & "
        "Zuidema's classifier, on subject-verb number agreement", _AGREEMENT + " plus real sentences from the shared "
        "English corpus (Linzen et al. 2016, parsed by link-grammar: xaudit.datasets.linzen)", f"{_RECIPES}:train_gpt2_encoder", {
            "full": dict(n_train=10_000, n_dev=1_000, n_test=1_000, hidden=128, layers=6, heads=8, embd_pdrop=0.2,
                         resid_pdrop=0.4, attn_pdrop=0.6, initializer_range=0.05, l2=1e-4, epochs=3,
                         batch_size=64, lr=1e-3, real=True, real_test=2_000, real_dev=300, min_count=2),
            "tiny": dict(n_train=300, n_dev=100, n_test=100, hidden=16, layers=2, heads=2, embd_pdrop=0.2,
                         resid_pdrop=0.4, attn_pdrop=0.6, initializer_range=0.05, l2=1e-4, epochs=1,
                         batch_size=32, lr=1e-3, real=False, real_test=0, real_dev=0, min_count=2)},
        reads_corpus=True),
    ReferenceModel(
        "lstm", "recurrent", "agreement", "LSTM classifier on subject-verb number agreement", _AGREEMENT,
        f"{_RECIPES}:train_lstm", {
            "full": dict(n_train=40_000, n_dev=4_000, n_test=10_000, embedding=64, hidden=128,
                         epochs=8, batch_size=64, lr=2e-3),
            "tiny": dict(n_train=300, n_dev=100, n_test=100, embedding=8, hidden=16,
                         epochs=1, batch_size=32, lr=1e-3)}),
    ReferenceModel(
        "cnn", "conv", "digits", "CNN on scikit-learn's 8x8 handwritten digits", _DIGITS, f"{_RECIPES}:train_cnn", {
            "full": dict(channels=(32, 64), hidden=128, epochs=60, batch_size=32, lr=2e-3),
            "tiny": dict(channels=(4, 8), hidden=16, epochs=1, batch_size=64, lr=1e-3)}),
    ReferenceModel(
        "vit", "transformer", "digits", "ViT (2x2 patches) on scikit-learn's 8x8 digits", _DIGITS,
        f"{_RECIPES}:train_vit", {
            "full": dict(hidden=64, layers=4, heads=4, intermediate=128, patch=2, epochs=300,
                         batch_size=64, lr=2e-3),
            "tiny": dict(hidden=16, layers=1, heads=2, intermediate=32, patch=2, epochs=1,
                         batch_size=64, lr=1e-3)}),
    ReferenceModel(
        "mlm", "transformer", "cloze",
        "multilingual BERT masked LM (EN/ES/DE/FR, WordPiece) on Leipzig + Gutenberg text",
        "Leipzig news and Gutenberg book text in EN/ES/DE/FR from the shared data folder (xaudit.datasets.corpus)",
        f"{_RECIPES}:train_mlm", {
            # Sized by a timed run: 0.68 s/step on 2 idle CPU cores, so 3,000 steps (~5 passes) fit ~35-60 min.
            "full": dict(vocab=16_000, block=128, hidden=128, layers=4, heads=2, intermediate=512, steps=3_000,
                         batch_size=64, lr=1e-3, segments_per_language=None),
            "tiny": dict(vocab=300, block=128, hidden=16, layers=1, heads=2, intermediate=32, steps=6,
                         batch_size=8, lr=1e-3, segments_per_language=400)},
        reads_corpus=True),
    ReferenceModel(
        "credit", "mlp", "credit risk", "MLP on UCI German credit: good or bad credit risk (sex and age are inputs)",
        "UCI Statlog German credit, german/german.csv in the shared data folder (xaudit.datasets.decision_data)",
        f"{_TABULAR}:train_credit", {
            "full": dict(hidden=(32, 16), dropout=0.2, epochs=30, batch_size=32, lr=3e-3, weight_decay=0.05),
            "tiny": _TABULAR_TINY},
        reads_tables=True),
    ReferenceModel(
        "income", "mlp", "income", "MLP on UCI Adult: income above $50K (sex, race and age are inputs)",
        "UCI Adult, adult/adult.csv in the shared data folder (xaudit.datasets.decision_data)",
        f"{_TABULAR}:train_income", {
            "full": dict(hidden=(64, 32), dropout=0.1, epochs=8, batch_size=256, lr=3e-3, weight_decay=0.01),
            "tiny": _TABULAR_TINY},
        reads_tables=True),
)}


def reference_model(name: str, preset: str = "full") -> ReferenceModel:
    """The record of reference model ``name`` with a ``preset`` it has (ParameterError naming the choices)."""
    from ..validation import check_choice

    check_choice("model", name, REFERENCE_MODELS)
    check_choice("preset", preset, REFERENCE_MODELS[name].presets)
    return REFERENCE_MODELS[name]


def models_root() -> Path:
    """Where reference checkpoints live: ``$XAUDIT_MODELS_DIR`` or the package's shipped folder."""
    override = os.environ.get(MODELS_DIR_ENV)
    return Path(override) if override else SHIPPED_MODELS_DIR


def reference_dir(name: str) -> Path:
    return models_root() / name


def model_folder(spec: str) -> Path:
    """The folder of a reference model name, else ``spec`` itself as a path (it may not exist: hub ids)."""
    return reference_dir(spec) if spec in REFERENCE_MODELS else Path(spec)


def card_of(spec: str) -> dict[str, Any]:
    """The model card of a reference model or model folder; empty for hub ids and folders without one."""
    folder = model_folder(spec)
    return (read_card(folder) or {}) if folder.is_dir() else {}


def resolve_reference(spec: str) -> str | None:
    """The registered name ``spec`` refers to; None for paths and hub ids (any other name: ``org/name``, or a
    bare name such as ``bert-base-multilingual-cased``)."""
    return spec if spec in REFERENCE_MODELS else None


def model_path(spec: str) -> Path:
    """``spec`` as a path, ``~`` and ``~user`` expanded; a usage error for a user that does not exist."""
    try:
        return Path(spec).expanduser()
    except RuntimeError:  # pathlib: "Could not determine home directory."
        raise ParameterError(f"no such model file or folder: {spec} (cannot expand its ~)") from None


def close_references(spec: str) -> list[str]:
    """Reference names that ``spec`` may be a typo of."""
    import difflib

    return difflib.get_close_matches(spec, REFERENCE_MODELS, n=3, cutoff=0.6)


def describe(name: str) -> dict[str, Any]:
    """Name, kind, task and held-out metrics (from the card) of a reference model."""
    model = REFERENCE_MODELS[name]
    card = read_card(reference_dir(name)) or {}
    return {
        "name": model.name,
        "kind": model.kind,
        "task": model.task,
        "description": model.description,
        "data": model.data,
        "trained": bool(card),
        "metrics": card.get("metrics", {}),
        "parameters": card.get("parameters"),
        "device": card.get("device"),
    }
