"""The attention blocks of the encoders that decomposition methods take apart, and one traced forward pass.

ALTI (Ferrando et al. 2022), attention norms (Kobayashi et al. 2020) and value zeroing (Mohebbi et al. 2023)
need, per layer, the value and output projections, the layer norm around the attention and whether it comes
before the attention (pre-LN: ViT, DeiT) or after the residual (post-LN: BERT, RoBERTa, ELECTRA, DistilBERT).
``LAYOUTS`` names these modules per ``model_type``; other models are refused by ``decomposition_refusal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from torch import nn

    from .base import Batch


@dataclass(frozen=True)
class Layout:
    """Where a model's layers and their attention modules are (dotted paths: ``layers`` from the base model,
    the others from one layer)."""

    layers: str
    value: str
    output: str
    norm: str
    pre_norm: bool


_BERT = Layout("encoder.layer", "attention.self.value", "attention.output.dense", "attention.output.LayerNorm", False)
_VIT = Layout("layers", "attention.v_proj", "attention.o_proj", "layernorm_before", True)
LAYOUTS: dict[str, Layout] = {
    "bert": _BERT, "roberta": _BERT, "xlm-roberta": _BERT, "electra": _BERT, "camembert": _BERT,
    "distilbert": Layout("transformer.layer", "attention.v_lin", "attention.out_lin", "sa_layer_norm", False),
    "vit": _VIT, "deit": _VIT,
}
"""The model types whose attention blocks are taken apart: one entry per family."""


def model_type(model: object) -> str | None:
    """The Hugging Face ``model_type`` of an adapter's model or of a summary read before loading (None: unknown)."""
    config = getattr(getattr(model, "model", None), "config", None)
    return getattr(config, "model_type", None) if config is not None else getattr(model, "model_type", None)


def decomposition_refusal(model: object) -> str | None:
    """Why the attention blocks of ``model`` (an adapter or a summary) cannot be taken apart, else None (also when
    the type is only known after loading)."""
    found = model_type(model)
    if found is None or found in LAYOUTS:
        return None
    return (f"its model type {found!r} is not among those whose attention blocks xaudit decomposes "
            f"({', '.join(sorted(LAYOUTS))})")


@dataclass(frozen=True)
class Block:
    """One layer: the layer module, its value and output projections, its attention layer norm."""

    layer: nn.Module
    value: nn.Linear
    output: nn.Linear
    norm: nn.LayerNorm
    heads: int
    pre_norm: bool


def blocks(model: nn.Module) -> list[Block]:
    """The attention blocks of ``model`` (a Hugging Face model whose type is in ``LAYOUTS``), first layer first."""
    layout = LAYOUTS[model.config.model_type]
    heads = int(getattr(model.config, "num_attention_heads", None) or model.config.n_heads)
    layers = model.base_model.get_submodule(layout.layers)
    return [Block(layer, layer.get_submodule(layout.value), layer.get_submodule(layout.output),
                  layer.get_submodule(layout.norm), heads, layout.pre_norm) for layer in layers]


@dataclass
class Trace:
    """What one forward pass saw: per layer its call (positional and keyword arguments, the first being the
    layer's input ``(B, n, d)``) and its output ``(B, n, d)``; the attention weights ``(layers, B, heads, n, n)``."""

    calls: list[tuple[tuple, dict[str, Any]]]
    outputs: list[torch.Tensor]
    attentions: torch.Tensor

    def inputs(self, layer: int) -> torch.Tensor:
        return self.calls[layer][0][0]


def trace(adapter: Any, batch: Batch, layers: list[Block]) -> Trace:
    """One forward pass of ``adapter`` (its own attention pass, eval mode, no gradients) recording each layer's
    inputs, arguments and output."""
    calls: list[tuple[tuple, dict[str, Any]]] = []
    outputs: list[torch.Tensor] = []

    def before(_module: nn.Module, args: tuple, kwargs: dict[str, Any]) -> None:
        kwargs = dict(kwargs)  # the layer still runs on the original
        calls.append((args, kwargs) if args else ((kwargs.pop("hidden_states"),), kwargs))

    def after(_module: nn.Module, _args: tuple, output: Any) -> None:
        outputs.append(output[0] if isinstance(output, tuple) else output)

    handles = [hook for b in layers for hook in (b.layer.register_forward_pre_hook(before, with_kwargs=True),
                                                  b.layer.register_forward_hook(after))]
    try:
        attentions = adapter.attentions(batch)
    finally:
        for handle in handles:
            handle.remove()
    return Trace(calls, outputs, attentions)


def attention_terms(block: Block, inputs: torch.Tensor, attentions: torch.Tensor) -> torch.Tensor:
    """``(n, n, d)``: ``Σ_h α^h_ij f^h(u_j)`` in float64, the part of token i's attention output that comes
    from token j, with ``f^h(u) = (u W^h_V + b^h_V) W^h_O`` (the head's slice of the output projection) and
    ``u`` the attention's input: the layer input ``(n, d)``, after ``layernorm_before`` in a pre-LN layer.
    ``attentions``: ``(heads, n, n)``."""
    import torch

    units = block.norm(inputs) if block.pre_norm else inputs
    units = units.double()
    n, width = units.shape
    head = width // block.heads
    values = units @ block.value.weight.double().T + block.value.bias.double()  # (n, d)
    values = values.view(n, block.heads, head).transpose(0, 1)  # (heads, n, head)
    projection = block.output.weight.double().view(width, block.heads, head).permute(1, 2, 0)  # (heads, head, d)
    transformed = torch.bmm(values, projection)  # (heads, n, d): f^h(u_j)
    return torch.einsum("hij,hjd->ijd", attentions.double(), transformed)


def rerun_with_zeroed_values(block: Block, call: tuple[tuple, dict[str, Any]], row: int, n: int) -> torch.Tensor:
    """``(n, N, d)``: layer ``block`` rerun on example ``row``'s input (``N`` positions, ``n`` of them tokens) in
    ``n`` copies, copy j with the value vector of token j set to zero (all heads), in one forward pass."""
    import torch

    args, kwargs = call
    batch_size = args[0].shape[0]

    def copies(value: Any) -> Any:
        if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape[0] == batch_size:
            return value[row:row + 1].expand(n, *value.shape[1:])
        return value

    index = torch.arange(n, device=args[0].device)

    def zero(_module: nn.Module, _inputs: tuple, values: torch.Tensor) -> torch.Tensor:
        values = values.clone()
        values[index, index] = 0
        return values

    handle = block.value.register_forward_hook(zero)
    try:
        output = block.layer(*[copies(a) for a in args], **{k: copies(v) for k, v in kwargs.items()})
    finally:
        handle.remove()
    return output[0] if isinstance(output, tuple) else output
