"""The model adapter contract and the batch that flows through it.

An adapter wraps a trained model without moving or mutating it: inference runs in eval
mode inside a context that restores every module's training flag, gradients are taken
with respect to inputs only, and hooks are removed when a call returns.

Attribution methods see a model through one uniform view: ``embed(batch)`` gives the
differentiable input (token embeddings ``(B, n, d)`` or pixels ``(B, C, H, W)``) and
``unit_view`` turns it into ``(B, units, features)``, so every gradient or perturbation
method reduces over the last axis the same way for text and images.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import torch
from torch import nn

from ..errors import ModelError

Modality = Literal["text", "image", "tabular"]


@dataclass
class Batch:
    """Encoded inputs plus what is needed to display and aggregate per-unit scores.

    ``inputs`` holds the model's keyword tensors (padded for text). ``units`` lists each
    example's display units without padding: tokens (special tokens included) or pixels.
    ``words`` maps each unit to a word index (None for special tokens) for subword-to-word
    aggregation. ``truncated`` counts the tokens dropped per example.
    """

    inputs: dict[str, torch.Tensor]
    units: list[list[str]]
    modality: Modality
    special: list[list[bool]] = field(default_factory=list)
    words: list[list[int | None]] = field(default_factory=list)
    word_texts: list[list[str]] = field(default_factory=list)
    truncated: list[int] = field(default_factory=list)
    image_shape: tuple[int, int] | None = None
    sources: list[object] = field(default_factory=list)
    embedding_noise: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.units)

    def select(self, rows: Sequence[int]) -> Batch:
        """A batch of the given rows (repeats allowed), e.g. one row per perturbed variant."""
        index = torch.as_tensor(list(rows), dtype=torch.long)

        def pick(values: list) -> list:
            return [values[r] for r in rows] if values else []

        return Batch(
            inputs={k: v[index] for k, v in self.inputs.items()}, units=pick(self.units), modality=self.modality,
            special=pick(self.special), words=pick(self.words), word_texts=pick(self.word_texts),
            truncated=pick(self.truncated), image_shape=self.image_shape, sources=pick(self.sources),
            embedding_noise=None if self.embedding_noise is None else self.embedding_noise[index],
        )

    @property
    def lengths(self) -> list[int]:
        return [len(u) for u in self.units]


@runtime_checkable
class ModelAdapter(Protocol):
    """What every attribution method, evaluator and command may ask of a model.

    The implementations are listed in ``loading.ADAPTERS``; ``AdapterBase`` gives the
    defaults for models without attention.
    """

    name: str
    """How results name the model (a reference name, folder or hub id)."""
    kind: str
    """``transformer``, ``recurrent``, ``conv`` or ``mlp`` (tabular)."""
    modality: Modality
    labels: list[str]
    """Class names by index (a masked LM's: its vocabulary)."""

    @property
    def device(self) -> torch.device:
        """Where the model's parameters are."""
        ...

    @property
    def has_attentions(self) -> bool:
        """Whether ``attentions`` can be called (attention methods need it)."""
        ...

    @property
    def attention_layers(self) -> int:
        """How many attention layers (0 without attention)."""
        ...

    def encode(self, inputs: Sequence[object]) -> Batch:
        """Texts, images or table rows as one (padded) batch (DataError for unusable inputs)."""
        ...

    def forward(self, batch: Batch) -> torch.Tensor:
        """Logits ``(B, classes)`` at the decision position."""
        ...

    def predict_proba(self, batch: Batch) -> torch.Tensor:
        """Class probabilities ``(B, classes)``, without gradients."""
        ...

    def label_index(self, target: int | str) -> int:
        """A class index from an index or a label name (ParameterError otherwise)."""
        ...

    def embed(self, batch: Batch) -> torch.Tensor:
        """The differentiable input: token embeddings ``(B, n, d)``, pixels ``(B, C, H, W)`` or encoded table
        rows ``(B, columns, width)``."""
        ...

    def forward_from_embeddings(self, embeddings: torch.Tensor, batch: Batch) -> torch.Tensor:
        """``forward`` from (possibly tiled: k·B rows) embeddings instead of the batch's inputs."""
        ...

    def attentions(self, batch: Batch) -> torch.Tensor:
        """Attention weights ``(layers, B, heads, n, n)``, rows summing to 1."""
        ...

    def baseline(self, batch: Batch, kind: str | None = None) -> torch.Tensor:
        """A reference input shaped like ``embed(batch)`` (for IG and Taylor)."""
        ...

    def baseline_kind(self, kind: str | None = None) -> str:
        """The baseline ``kind`` names, or the model's default when ``kind`` is None."""
        ...

    def blank_value(self, batch: Batch) -> torch.Tensor:
        """What blank-out puts in place of a unit, per feature: [UNK]'s embedding, black, or a column's typical
        value."""
        ...

    def attention_to_units(self, scores: torch.Tensor) -> torch.Tensor:
        """Scores over attention positions mapped to units (a ViT's patches to pixels)."""
        ...

    def output_positions(self, batch: Batch) -> list[int]:
        """Per example, the position whose attention row attention methods explain."""
        ...

    def perturbed(self, batch: Batch, noise: torch.Tensor) -> Batch:
        """The batch with ``noise`` added to its embeddings or pixels (for stability measures)."""
        ...


def unit_view(x: torch.Tensor, modality: Modality) -> torch.Tensor:
    """``(B, n, d)`` text and tabular rows stay as they are; ``(B, C, H, W)`` images become ``(B, H*W, C)``."""
    if modality != "image":
        return x
    return x.flatten(2).transpose(1, 2)


def from_unit_view(units: torch.Tensor, like: torch.Tensor, modality: Modality) -> torch.Tensor:
    """Inverse of :func:`unit_view` for a tensor shaped like ``like``."""
    if modality != "image":
        return units
    return units.transpose(1, 2).reshape(like.shape)


def tile_inputs(inputs: dict[str, torch.Tensor], size: int) -> dict[str, torch.Tensor]:
    """Repeat a batch's tensors block-wise to ``size`` rows (captum's layout for IG steps)."""
    batch = next(iter(inputs.values())).shape[0]
    if size == batch:
        return inputs
    if size % batch:
        raise ModelError(f"embeddings hold {size} rows, not a multiple of the batch size {batch}")
    reps = size // batch
    return {k: v.repeat(reps, *([1] * (v.dim() - 1))) for k, v in inputs.items()}


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[None]:
    """Run ``model`` in eval mode and restore every submodule's training flag afterwards."""
    flags = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in flags:
            module.training = training


@contextmanager
def replaced_output(module: nn.Module, output: torch.Tensor) -> Iterator[None]:
    """Make ``module``'s first call return ``output`` instead of computing its own (removed on exit). Later calls
    compute as usual: an encoder-decoder's shared embedding embeds the encoder's input first, then the decoder's."""
    calls = []

    def first_call(_module: nn.Module, _inputs: object, computed: torch.Tensor) -> torch.Tensor:
        calls.append(None)
        return output if len(calls) == 1 else computed

    handle = module.register_forward_hook(first_call)
    try:
        yield
    finally:
        handle.remove()


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (CPU for a parameterless model)."""
    for parameter in model.parameters():
        return parameter.device
    return torch.device("cpu")


class AdapterBase:
    """Shared behaviour: predictions, error messages for missing capabilities."""

    name: str
    kind: str
    modality: Modality
    labels: list[str]
    model: nn.Module

    @property
    def device(self) -> torch.device:
        return model_device(self.model)

    @property
    def has_attentions(self) -> bool:
        return False

    @property
    def attention_layers(self) -> int:
        """How many attention layers the model has (0 without attention)."""
        return 0

    def attentions(self, batch: Batch) -> torch.Tensor:
        raise ModelError(f"model {self.name!r} is a {self.kind} model and has no attention weights")

    def attention_to_units(self, scores: torch.Tensor) -> torch.Tensor:
        return scores

    def output_positions(self, batch: Batch) -> list[int]:
        """The token whose attention is explained: position 0 ([CLS]) by default."""
        return [0] * len(batch)

    @torch.no_grad()
    def predict_proba(self, batch: Batch) -> torch.Tensor:
        """Class probabilities ``(B, classes)``."""
        return torch.softmax(self.forward(batch).float(), dim=-1)

    def label_index(self, target: int | str) -> int:
        """A class index from an index or a label name."""
        from .summary import label_index

        return label_index(self.labels, target, self.name)
