"""Adapters for Hugging Face transformers: sequence classifiers, masked LMs, ViT classifiers.

Models must run eager attention so that per-layer, per-head attention weights are
returned (``attn_implementation="eager"``); the loaders in ``loading.py`` ask for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ..errors import DataError, ModelError
from .base import Batch, eval_mode, replaced_output
from .images import ImageAdapter, stack_channels_first
from .kinds import attention_limit
from .text import MASK, PAD, UNK, TextAdapter, encode_with_tokenizer

_TOKEN_ATTRS = {PAD: "pad_token_id", UNK: "unk_token_id", MASK: "mask_token_id"}


def _check_eager(model: nn.Module, name: str) -> None:
    implementation = getattr(model.config, "_attn_implementation", "eager")
    if implementation != "eager":
        raise ModelError(
            f"model {name!r} runs {implementation!r} attention, which returns no attention weights; "
            "load it with attn_implementation='eager'"
        )


def _stack_attentions(attentions: Sequence[torch.Tensor] | None, name: str) -> torch.Tensor:
    """``(layers, B, heads, n, n)``; a ModelError unless every layer returned one square matrix per head (eager
    attention: SDPA and flash kernels return None)."""
    if not attentions or any(a is None for a in attentions):
        raise ModelError(f"model {name!r} returned no attention weights (attention must run eagerly)")
    shapes = {tuple(a.shape) for a in attentions}
    if len(shapes) != 1 or len(next(iter(shapes))) != 4 or next(iter(shapes))[-1] != next(iter(shapes))[-2]:
        raise ModelError(f"model {name!r} returned attention weights shaped {sorted(shapes)}, not one "
                         "(batch, heads, n, n) matrix per layer")
    return torch.stack([a.detach() for a in attentions])


def _labels_from_config(model: nn.Module) -> list[str]:
    id2label = getattr(model.config, "id2label", None) or {}
    return [str(id2label.get(i, id2label.get(str(i), i))) for i in range(model.config.num_labels)]


class HFAttention:
    """Per-layer, per-head attention weights of an eager-attention HF model."""

    model: nn.Module
    name: str

    @property
    def attention_refusal(self) -> str | None:
        """Why attention methods cannot run on this model (windowed or encoder-decoder attention), else None."""
        return attention_limit(self.model.config.to_dict())

    @property
    def has_attentions(self) -> bool:
        return self.attention_refusal is None

    @property
    def attention_layers(self) -> int:
        return int(self.model.config.num_hidden_layers)

    def _attentions(self, **inputs: torch.Tensor) -> torch.Tensor:
        """``(layers, B, heads, n, n)`` from one forward pass with ``output_attentions``."""
        _check_eager(self.model, self.name)
        with eval_mode(self.model), torch.no_grad():
            out = self.model(**inputs, output_attentions=True)
        return _stack_attentions(out.attentions, self.name)

    def attention_gradients(self, batch: Batch, targets: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """Attention weights ``(layers, B, heads, n, n)`` and the gradient of each example's target
        logit (its prediction where ``targets`` is None) with respect to them, from one forward
        and one backward pass; the model's parameters get no gradients."""
        _check_eager(self.model, self.name)
        with eval_mode(self.model), torch.enable_grad():
            out = self._forward_with_attentions(batch)
            if not out.attentions:
                raise ModelError(f"model {self.name!r} returned no attention weights")
            logits = self._decision_logits(out, batch)
            chosen = logits.argmax(dim=-1) if targets is None else targets.to(logits.device)
            gradients = torch.autograd.grad(logits.gather(1, chosen[:, None]).sum(), out.attentions)
        return _stack_attentions(out.attentions, self.name), torch.stack(gradients)

    def _forward_with_attentions(self, batch: Batch):
        raise NotImplementedError

    def _decision_logits(self, out, batch: Batch) -> torch.Tensor:
        """``(B, classes)`` logits at the decision position from the model's output."""
        return out.logits


class HFTextAdapter(HFAttention, TextAdapter):
    """Shared parts of the HF text adapters (tokenizer, embeddings, attentions)."""

    kind = "transformer"

    def __init__(self, model: nn.Module, tokenizer, name: str):
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        limit = getattr(tokenizer, "model_max_length", None) or 0
        positions = int(getattr(model.config, "max_position_embeddings", None) or 512)
        # Tokenizers without a limit report a huge sentinel; never exceed the position embeddings.
        self.max_length = min(int(limit), positions) if 0 < limit < 100_000 else positions

    def _embedding_layer(self) -> nn.Module:
        """The token embedding of the input text (an encoder-decoder's encoder embedding, which may be a module
        of its own beside the shared one)."""
        if getattr(self.model.config, "is_encoder_decoder", False) and hasattr(self.model, "get_encoder"):
            return self.model.get_encoder().get_input_embeddings()
        return self.model.get_input_embeddings()

    def _token_id(self, token: str) -> int | None:
        return getattr(self.tokenizer, _TOKEN_ATTRS.get(token, ""), None)

    def encode(self, inputs: Sequence[object]) -> Batch:
        return encode_with_tokenizer(self.tokenizer, inputs, self.max_length)

    def attentions(self, batch: Batch) -> torch.Tensor:
        """``(layers, B, heads, n, n)`` attention weights (of the perturbed input, if the batch has noise)."""
        with replaced_output(self._embedding_layer(), self.embed(batch)):
            return self._attentions(**self._to_device(batch))

    def _forward_with_attentions(self, batch: Batch):
        with replaced_output(self._embedding_layer(), self.embed(batch).detach().requires_grad_()):
            return self.model(**self._to_device(batch), output_attentions=True)


class HFSequenceClassifierAdapter(HFTextAdapter):
    """A ``*ForSequenceClassification`` model with its tokenizer: an encoder that decides at its
    first token ([CLS]), or a decoder (GPT-2, Llama, Mistral, Qwen, ...) that decides at the last
    non-padding token, as transformers pools them (decoders have a ``score`` head, encoders a
    ``classifier``). A decoder tokenizer without a padding token pads with its end-of-text token,
    which the model's config then names as its padding token, so batches pool where single texts do.
    """

    def __init__(self, model: nn.Module, tokenizer, name: str):
        super().__init__(model, tokenizer, name)
        self.labels = _labels_from_config(model)
        self.decides_at_last_token = hasattr(model, "score") and not hasattr(model, "classifier")
        if self.decides_at_last_token and tokenizer.pad_token is None and tokenizer.eos_token is not None:
            tokenizer.pad_token = tokenizer.eos_token
        if self.decides_at_last_token and model.config.pad_token_id is None:
            model.config.pad_token_id = tokenizer.pad_token_id

    def output_positions(self, batch: Batch) -> list[int]:
        """The decision position: the last non-padding token of a decoder, else the first token."""
        if not self.decides_at_last_token:
            return super().output_positions(batch)
        return (batch.inputs["attention_mask"].sum(dim=1) - 1).tolist()

    def _logits(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.model(**inputs).logits


class HFMaskedLMAdapter(HFTextAdapter):
    """A ``*ForMaskedLM`` model read as a classifier over its vocabulary at the mask.

    Each input text must contain the tokenizer's mask token once; ``forward`` returns the
    logits at that position, so attribution methods explain a predicted word.
    """

    def __init__(self, model: nn.Module, tokenizer, name: str):
        super().__init__(model, tokenizer, name)
        if tokenizer.mask_token_id is None:
            raise ModelError(f"masked LM {name!r} has a tokenizer without a mask token")
        vocab = tokenizer.get_vocab()
        by_id = {i: t for t, i in vocab.items()}
        self.labels = [by_id.get(i, f"<{i}>") for i in range(model.config.vocab_size)]

    def encode(self, inputs: Sequence[object]) -> Batch:
        batch = super().encode(inputs)
        ids = batch.inputs["input_ids"]
        counts = (ids == self.tokenizer.mask_token_id).sum(dim=1)
        for row, count in enumerate(counts.tolist()):
            if count != 1:
                raise DataError(
                    f"input {row} must contain the mask token {self.tokenizer.mask_token!r} exactly once "
                    f"(found {count})"
                )
        return batch

    def output_positions(self, batch: Batch) -> list[int]:
        """Attention methods explain the prediction at the mask."""
        return (batch.inputs["input_ids"] == self.tokenizer.mask_token_id).int().argmax(dim=1).tolist()

    def _decision_logits(self, out, batch: Batch) -> torch.Tensor:
        positions = torch.tensor(self.output_positions(batch), device=out.logits.device)
        return out.logits[torch.arange(len(positions), device=positions.device), positions]

    def _logits(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        """Vocabulary logits at the mask; the LM head runs at that position only when the model has
        one head module beside its encoder (BERT's ``cls``, RoBERTa's ``lm_head``)."""
        position = (inputs["input_ids"] == self.tokenizer.mask_token_id).float().argmax(dim=1)
        rows = torch.arange(len(position), device=position.device)
        heads = [m for m in self.model.children() if m is not self.model.base_model]
        if len(heads) != 1:
            return self.model(**inputs).logits[rows, position]
        hidden = self.model.base_model(**inputs).last_hidden_state
        return heads[0](hidden[rows, position].unsqueeze(1))[:, 0]


class HFImageClassifierAdapter(HFAttention, ImageAdapter):
    """A ViT-style ``*ForImageClassification`` model; units are input pixels.

    With an image processor, images are resized/normalised by it (``do_rescale=False``:
    inputs are already in [0, 1]); without one, pixels go to the model unchanged.
    Attention scores over patches are mapped to the pixels each patch covers.
    """

    kind = "transformer"

    def __init__(self, model: nn.Module, name: str, processor=None):
        self.model = model
        self.name = name
        self.processor = processor
        self.labels = _labels_from_config(model)
        self.channels = int(model.config.num_channels)
        self.patch_size = int(model.config.patch_size)

    def preprocess(self, images: list[np.ndarray]) -> torch.Tensor:
        if self.processor is None:
            return stack_channels_first(images)
        out = self.processor(
            images=images, do_rescale=False, return_tensors="pt", input_data_format="channels_last"
        )
        return out["pixel_values"].float()

    def _logits(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.model(pixel_values=pixel_values).logits

    def attentions(self, batch: Batch) -> torch.Tensor:
        return self._attentions(pixel_values=batch.inputs["pixel_values"].to(self.device))

    def _forward_with_attentions(self, batch: Batch):
        pixels = batch.inputs["pixel_values"].to(self.device).detach().requires_grad_()
        return self.model(pixel_values=pixels, output_attentions=True)

    def attention_to_units(self, scores: torch.Tensor) -> torch.Tensor:
        """Scores over ``[CLS] (+ DeiT's distillation token) + patches`` -> scores over pixels (each patch's score on
        its pixels)."""
        height = width = int(self.model.config.image_size)
        grid_h, grid_w = height // self.patch_size, width // self.patch_size
        patches = scores[..., -grid_h * grid_w:].reshape(*scores.shape[:-1], grid_h, grid_w)
        pixels = patches.repeat_interleave(self.patch_size, dim=-2).repeat_interleave(self.patch_size, dim=-1)
        return pixels.reshape(*scores.shape[:-1], height * width)
