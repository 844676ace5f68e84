"""Every kind of model xaudit loads, in one table read without importing torch.

``loading`` builds adapters from it; ``summary`` reads what a saved model is (modality,
attention) from it and the model's JSON files, so that requests are checked before loading.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class AdapterKind:
    """How a saved model is recognised and which adapter wraps it.

    ``architecture`` is a card's ``architecture`` (xaudit's own networks, built from
    ``network``) or the suffix of a Hugging Face config's ``architectures`` entry (loaded
    with ``auto_class``). ``example`` is the reference model of this kind, on which the
    adapter contract tests run. ``modality`` is what it reads (``text``, ``image`` or ``tabular``) and
    ``kind`` how messages name it.
    """

    architecture: str
    adapter: str
    example: str
    modality: str
    kind: str
    auto_class: str | None = None
    network: str | None = None
    also: tuple[str, ...] = ()
    """Other suffixes of the same kind (GPT-2's checkpoints name their causal LM ``GPT2LMHeadModel``)."""

    def adapter_class(self) -> type:
        return resolve(self.adapter)


def resolve(path: str) -> type:
    """The object ``module:name`` (module relative to ``xaudit.models``)."""
    module, name = path.split(":")
    return getattr(importlib.import_module(module, "xaudit.models"), name)


ADAPTERS: dict[str, AdapterKind] = {kind.architecture: kind for kind in (
    AdapterKind("ForSequenceClassification", ".hf:HFSequenceClassifierAdapter", "bert", "text", "transformer",
                auto_class="AutoModelForSequenceClassification"),
    AdapterKind("ForMaskedLM", ".hf:HFMaskedLMAdapter", "mlm", "text", "transformer",
                auto_class="AutoModelForMaskedLM"),
    AdapterKind("ForCausalLM", ".causal_lm:HFCausalLMAdapter", "gpt2-lm", "text", "transformer",
                auto_class="AutoModelForCausalLM", also=("LMHeadModel",)),
    AdapterKind("ForImageClassification", ".hf:HFImageClassifierAdapter", "vit", "image", "transformer",
                auto_class="AutoModelForImageClassification"),
    AdapterKind("recurrent", ".torch_adapters:RecurrentAdapter", "lstm", "text", "recurrent",
                network=".architectures:RecurrentClassifier"),
    AdapterKind("conv", ".torch_adapters:ConvAdapter", "cnn", "image", "conv", network=".architectures:ConvClassifier"),
    AdapterKind("tabular", ".tabular:TabularAdapter", "credit", "tabular", "mlp",
                network=".architectures:TabularMLP"),
)}
"""The one place a new adapter is added."""


def hf_kind(architectures: list[str]) -> AdapterKind | None:
    """The kind of a Hugging Face config from its ``architectures`` entries (None if unsupported)."""
    hf_kinds = [kind for kind in ADAPTERS.values() if kind.auto_class]
    return next((kind for arch in architectures for kind in hf_kinds
                 if arch.endswith((kind.architecture, *kind.also))), None)


def attention_limit(config: dict) -> str | None:
    """Why a Hugging Face model's attention is not one token-to-token matrix per layer (None when it is), read
    from its config: encoder-decoder models attend across two sequences, windowed models (Swin) within windows."""
    model_type = config.get("model_type", "?")
    if config.get("is_encoder_decoder"):
        return f"{model_type} is an encoder-decoder model (self- and cross-attention over two sequences)"
    if config.get("window_size") is not None:
        return f"{model_type} attends within windows of patches, not from every token to every token"
    return None
