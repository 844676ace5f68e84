"""The registry of reference models that xaudit trains and ships (explicit registration)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..paths import SHIPPED_MODELS_DIR
from .cards import read_card

MODELS_DIR_ENV = "XAUDIT_MODELS_DIR"


@dataclass(frozen=True)
class ReferenceModel:
    """A model our own code trains: its name, kind, task and training recipe."""

    name: str
    kind: str
    task: str
    description: str


REFERENCE_MODELS: dict[str, ReferenceModel] = {}


def register(model: ReferenceModel) -> None:
    REFERENCE_MODELS[model.name] = model


register(ReferenceModel("bert", "transformer", "agreement",
                        "BERT encoder (6 layers, 8 heads, hidden 128) on subject-verb number agreement"))
register(ReferenceModel("lstm", "recurrent", "agreement", "LSTM classifier on subject-verb number agreement"))
register(ReferenceModel("cnn", "conv", "digits", "CNN on scikit-learn's 8x8 handwritten digits"))
register(ReferenceModel("vit", "transformer", "digits", "ViT (2x2 patches) on scikit-learn's 8x8 digits"))
register(ReferenceModel("mlm", "transformer", "cloze",
                        "multilingual BERT masked LM (EN/ES/DE/FR, WordPiece) on Leipzig + Gutenberg text"))


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
    """The registered name ``spec`` refers to; None for paths and ``org/name`` hub ids.

    A bare name that is neither registered nor an existing path is an error listing the
    registered models.
    """
    if spec in REFERENCE_MODELS:
        return spec
    if "/" in spec or os.sep in spec or Path(spec).exists():
        return None
    raise ParameterError(
        f"unknown model {spec!r}; choose one of: {', '.join(sorted(REFERENCE_MODELS))} "
        "(or give a model folder, or an org/name hub id)"
    )


def describe(name: str) -> dict[str, Any]:
    """Name, kind, task and held-out metrics (from the card) of a reference model."""
    model = REFERENCE_MODELS[name]
    card = read_card(reference_dir(name)) or {}
    return {
        "name": model.name,
        "kind": model.kind,
        "task": model.task,
        "description": model.description,
        "trained": bool(card),
        "metrics": card.get("metrics", {}),
        "parameters": card.get("parameters"),
        "device": card.get("device"),
    }
