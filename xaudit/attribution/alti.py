"""ALTI, Aggregation of Layer-wise Token-to-token Interactions (Ferrando, Gállego & Costa-jussà 2022).

Each layer's attention block output is decomposed into one vector per input token, ``y_i = Σ_j T_i(x_j) + b_i``:
in a post-LN layer ``y_i = LN(x_i + Σ_h Σ_j α^h_ij f^h(x_j) + b_O)`` with the layer norm linearised,
``T_i(x_j) = γ ⊙ (v_ij − mean(v_ij)) / σ(s_i)`` for ``v_ij = Σ_h α^h_ij f^h(x_j) + δ_ij x_j`` and ``s_i`` the
full pre-norm sum; in a pre-LN layer (ViT) ``f^h`` reads ``LN(x_j)`` and ``y_i = x_i + Σ ... + b_O`` needs no
linearising. ``b_i`` (the output bias through the norm, and β) comes from no token. Token j's contribution is
``c_ij = max(0, ‖y_i‖₁ − ‖y_i − T_i(x_j)‖₁)``, rows normalised to sum to 1, layers composed by rollout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._decomposition import DecompositionMethod, normalise_rows

if TYPE_CHECKING:
    import torch

    from ..models.attention_blocks import Block, Trace


def decompose(block: Block, inputs: torch.Tensor, attentions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``T`` ``(n, n, d)`` with ``T[i, j] = T_i(x_j)``, and the token-free part ``b`` ``(n, d)`` of the attention
    block's output ``y_i = Σ_j T_i(x_j) + b_i`` (float64), for one example's layer input ``(n, d)`` and its
    attention weights ``(heads, n, n)``."""
    import torch

    from ..models.attention_blocks import attention_terms

    n = inputs.shape[0]
    terms = attention_terms(block, inputs, attentions)
    index = torch.arange(n)
    terms[index, index] += inputs.double()  # the residual
    bias = block.output.bias.double().expand(n, -1)
    if block.pre_norm:
        return terms, bias
    summed = terms.sum(dim=1) + bias
    scale = block.norm.weight.double() / torch.sqrt(summed.var(dim=-1, unbiased=False) + block.norm.eps)[:, None]
    centred = terms - terms.mean(dim=-1, keepdim=True)
    return centred * scale[:, None, :], (bias - bias.mean(dim=-1, keepdim=True)) * scale + block.norm.bias.double()


def contributions(decomposed: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """``(n, n)``: ``max(0, ‖y_i‖₁ − ‖y_i − T_i(x_j)‖₁)`` with rows normalised to sum to 1."""
    output = decomposed.sum(dim=1) + bias
    closeness = output.abs().sum(dim=-1)[:, None] - (output[:, None, :] - decomposed).abs().sum(dim=-1)
    return normalise_rows(closeness.clamp(min=0))


class AltiMethod(DecompositionMethod):
    name = "alti"
    title = "ALTI (token-to-token interactions)"
    definition = ("Attention block output decomposed per input token, y_i = Σ_j T_i(x_j) + b_i (layer norm "
                  "linearised); c_ij = max(0, ‖y_i‖₁ − ‖y_i − T_i(x_j)‖₁), rows normalised, multiplied through the "
                  "layers (rollout); the output token's row.")
    citation = ("Ferrando, Gállego & Costa-jussà (2022), Measuring the Mixing of Contextual Information in the "
                "Transformer, EMNLP.")

    def layer_matrix(self, block: Block, traced: Trace, layer: int, row: int, n: int) -> torch.Tensor:
        attentions = traced.attentions[layer, row, :, :n, :n]
        return contributions(*decompose(block, traced.inputs(layer)[row, :n], attentions))
