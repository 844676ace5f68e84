"""Attention norms (Kobayashi, Kuribayashi, Yokoi & Inui 2020): attention weights times the size of what they weigh.

Token j's part in layer l's attention output for token i is ``‖Σ_h α^h_ij f^h(x_j)‖`` with
``f^h(x) = (x W^h_V + b^h_V) W^h_O``. ``per-layer`` reports these norms; ``rollout`` (the default) adds the
residual, ``‖Σ_h α^h_ij f^h(x_j) + δ_ij x_j‖``, normalises rows to sum to 1 and composes the layers by rollout,
as the paper's residual-aware analysis does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._decomposition import DecompositionMethod, normalise_rows

if TYPE_CHECKING:
    import torch

    from ..models.attention_blocks import Block, Trace


class AttentionNormMethod(DecompositionMethod):
    name = "attention-norm"
    title = "Attention norm"
    definition = ("‖Σ_h α^h_ij f^h(x_j)‖ with f^h(x) = (x W_V + b_V) W_O per head; composed: the residual x_j added "
                  "for j = i, rows normalised, multiplied through the layers (rollout); the output token's row.")
    citation = ("Kobayashi, Kuribayashi, Yokoi & Inui (2020), Attention is Not Only a Weight: Analyzing Transformers "
                "with Vector Norms, EMNLP.")

    def layer_matrix(self, block: Block, traced: Trace, layer: int, row: int, n: int) -> torch.Tensor:
        import torch

        from ..models.attention_blocks import attention_terms

        inputs = traced.inputs(layer)[row, :n]
        terms = attention_terms(block, inputs, traced.attentions[layer, row, :, :n, :n])  # (n, n, d)
        if self.params["composition"] == "per-layer":
            return terms.norm(dim=-1)
        index = torch.arange(n)
        terms[index, index] += inputs.double()
        return normalise_rows(terms.norm(dim=-1))
