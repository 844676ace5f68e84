"""Gradient-weighted attention rollout (Chefer, Gur & Wolf 2021).

Each layer's attention is weighted by the gradient of the explained logit with respect to it
and the negative part dropped, heads averaged: ``Ā_l = E_h[(∇A_l ⊙ A_l)⁺]``. From ``R = I``,
``R ← R + Ā_l·R`` layer by layer; the output token's row of ``R`` after layer l scores the
input tokens. One forward and one backward pass per batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._attention import OUTPUT_INDEX
from .attention_graph import check_output_index
from .base import AttributionMethod, RawScores, decision_positions

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


def gradient_rollout(weighted: np.ndarray, output_index: int) -> np.ndarray:
    """``(layers, n)``: the output token's row of ``R`` after each layer, for ``weighted``
    ``(layers, n, n)`` = heads-averaged ``(∇A ⊙ A)⁺``."""
    layers, n, _ = weighted.shape
    relevance = np.eye(n)
    rows = np.empty((layers, n))
    for layer in range(layers):
        relevance = relevance + weighted[layer] @ relevance
        rows[layer] = relevance[output_index]
    return rows


class GradRolloutMethod(AttributionMethod):
    name = "grad-rollout"
    title = "Gradient-weighted rollout"
    definition = ("R ← R + E_h[(∇A ⊙ A)⁺]·R through the layers from R = I, with ∇A the gradient of the "
                  "explained logit; the output token's row.")
    citation = ("Chefer, Gur & Wolf (2021), Generic Attention-model Explainability for Interpreting Bi-Modal and "
                "Encoder-Decoder Transformers, ICCV.")
    requires = frozenset({"attentions"})
    layered = True
    parameters = (OUTPUT_INDEX,)

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        import torch

        attentions, gradients = adapter.attention_gradients(batch, targets)
        weighted = (gradients * attentions).clamp(min=0).mean(dim=2).double()  # (layers, B, n, n)
        positions = decision_positions(adapter, batch, self.params["output_index"])
        rows = []
        for row in range(len(batch)):
            mask = batch.inputs.get("attention_mask")
            n = int(mask[row].sum()) if mask is not None else weighted.shape[-1]
            check_output_index(positions[row], n)
            scores = gradient_rollout(weighted[:, row, :n, :n].cpu().numpy(), positions[row])
            rows.append(adapter.attention_to_units(torch.from_numpy(scores)).numpy())
        return RawScores(rows)
