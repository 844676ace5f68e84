"""What a saved model is, read from its JSON files alone: no weights, no torch.

Commands check a request against this summary (inputs that fit the model, methods that it
supports, a layer it has, a class it knows) before anything loads, so a usage error comes at
once. Hub ids are not summarised: their checks happen after loading, as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ModelError, ParameterError
from .cards import read_card
from .kinds import ADAPTERS, attention_limit, hf_kind
from .registry import model_path, reference_dir, resolve_reference


VOCABULARY_KINDS = ("ForMaskedLM", "ForCausalLM")
"""Kinds whose classes are not in their config: a masked LM's vocabulary, a causal LM's continuation."""


@dataclass(frozen=True)
class ModelSummary:
    """The members of :class:`~xaudit.models.base.ModelAdapter` that requests are checked against."""

    name: str
    kind: str
    modality: str
    labels: list[str] | None
    """Class names by index; None for a masked LM (its classes are its vocabulary) and a causal LM (its
    classes are the continuation asked for)."""
    attention_layers: int
    attention_refusal: str | None = None
    """Why a transformer's attention methods cannot run (windowed or encoder-decoder attention)."""
    model_type: str | None = None
    """A Hugging Face config's ``model_type`` (None for xaudit's own networks)."""

    @property
    def has_attentions(self) -> bool:
        return self.attention_layers > 0


def summarize(spec: str) -> ModelSummary | None:
    """The summary of a reference model or model folder; None for a hub id or a folder that only
    loading can tell about. Unknown names and missing paths are errors, as in ``load_model``."""
    reference = resolve_reference(spec)
    folder = reference_dir(reference) if reference else model_path(spec)
    if folder.is_file():
        folder = folder.parent
    if not folder.is_dir():
        if reference or spec.startswith((".", "/", "~")) or folder.parent.is_dir() and str(folder.parent) != ".":
            raise ParameterError(f"no such model file or folder: {spec}")
        return None
    card = read_card(folder) or {}
    kind = ADAPTERS.get(card.get("architecture", ""))
    if kind is not None and kind.network is not None:
        return ModelSummary(spec, kind.kind, kind.modality, list(card.get("labels") or []) or None, 0)
    config = _read_json(folder / "config.json")
    kind = hf_kind(list(config.get("architectures") or []))
    if kind is None:
        return None
    layers = config.get("num_hidden_layers", config.get("n_layer", 0))
    labels = None if kind.architecture in VOCABULARY_KINDS else [
        str(name) for _, name in sorted((int(i), name) for i, name in (config.get("id2label") or {}).items())]
    refusal = attention_limit(config)
    return ModelSummary(spec, kind.kind, kind.modality, labels or None, 0 if refusal else int(layers or 0), refusal,
                        config.get("model_type"))


def is_tabular_model(spec: str) -> bool:
    """Whether ``spec`` names a model that reads tables (from its card; nothing loads)."""
    summary = summarize(spec)
    return summary is not None and summary.modality == "tabular"


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} is unreadable: {exc}") from None
    return data if isinstance(data, dict) else {}


def label_index(labels: list[str], target: int | str, model: str) -> int:
    """A class index from an index or a label name (ParameterError naming the choices otherwise)."""
    if isinstance(target, int) or (isinstance(target, str) and target.lstrip("-").isdigit()):
        index = int(target)
        if not 0 <= index < len(labels):
            raise ParameterError(f"target index {index} out of range for model {model!r} with {len(labels)} classes")
        return index
    try:
        return labels.index(target)
    except ValueError:
        shown = ", ".join(labels[:20]) + (" ..." if len(labels) > 20 else "")
        raise ParameterError(f"unknown target {target!r} for model {model!r}; choose one of: {shown}") from None
