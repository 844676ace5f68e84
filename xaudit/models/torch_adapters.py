"""Adapters for plain-torch models: recurrent text classifiers and convolutional image nets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..errors import ModelError
from .base import Batch
from .images import ImageAdapter, stack_channels_first
from .text import TextAdapter, WordVocab


class RecurrentAdapter(TextAdapter):
    """A text classifier called as ``module(input_ids, attention_mask) -> logits``.

    ``embedding`` names the module's token-embedding layer (default: the first
    ``nn.Embedding`` found), through which gradient methods reach the inputs.
    """

    kind = "recurrent"

    def __init__(
        self,
        model: nn.Module,
        vocab: WordVocab,
        labels: Sequence[str],
        name: str,
        max_length: int = 512,
        embedding: str | None = None,
    ):
        self.model = model
        self.vocab = vocab
        self.labels = list(labels)
        self.name = name
        self.max_length = max_length
        self._embedding = self._find_embedding(model, embedding)

    @classmethod
    def from_card(cls, model: nn.Module, folder: Path, card: dict[str, Any], name: str) -> RecurrentAdapter:
        """The adapter of a trained network saved in ``folder`` with its card and ``vocab.txt``."""
        vocab_file = folder / "vocab.txt"
        if not vocab_file.exists():
            raise ModelError(f"recurrent model in {folder} has no vocab.txt")
        return cls(model, WordVocab.load(vocab_file), list(card["labels"]), name,
                   max_length=card.get("max_length", 512))

    @staticmethod
    def _find_embedding(model: nn.Module, attribute: str | None) -> nn.Module:
        if attribute is not None:
            layer = model.get_submodule(attribute)
            if not isinstance(layer, nn.Embedding):
                raise ModelError(f"{attribute!r} is a {type(layer).__name__}, not an nn.Embedding")
            return layer
        for module in model.modules():
            if isinstance(module, nn.Embedding):
                return module
        raise ModelError("the recurrent model has no nn.Embedding layer for gradient methods to use")

    def _embedding_layer(self) -> nn.Module:
        return self._embedding

    def _token_id(self, token: str) -> int | None:
        return self.vocab.index.get(token)

    def encode(self, inputs: Sequence[object]) -> Batch:
        return self.vocab.encode(inputs, self.max_length)

    def _logits(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.model(inputs["input_ids"], inputs["attention_mask"])


class ConvAdapter(ImageAdapter):
    """An image classifier called as ``module(images) -> logits`` on ``(B, C, H, W)`` input.

    ``mean`` / ``std`` (per channel), when given, normalise [0, 1] pixels before the model.
    """

    kind = "conv"

    def __init__(
        self,
        model: nn.Module,
        labels: Sequence[str],
        name: str,
        channels: int = 1,
        mean: Sequence[float] | None = None,
        std: Sequence[float] | None = None,
    ):
        self.model = model
        self.labels = list(labels)
        self.name = name
        self.channels = channels
        self.mean = None if mean is None else torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1)
        self.std = None if std is None else torch.tensor(std, dtype=torch.float32).view(-1, 1, 1)

    @classmethod
    def from_card(cls, model: nn.Module, folder: Path, card: dict[str, Any], name: str) -> ConvAdapter:
        """The adapter of a trained network saved in ``folder`` with its card."""
        return cls(model, list(card["labels"]), name, channels=card["config"].get("in_channels", 1))

    def preprocess(self, images: list[np.ndarray]) -> torch.Tensor:
        pixels = stack_channels_first(images)
        if self.mean is not None:
            pixels = pixels - self.mean
        if self.std is not None:
            pixels = pixels / self.std
        return pixels

    def _logits(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.model(pixel_values)
