"""Gradient saliency (Simonyan et al. 2014) on token embeddings or pixels.

``|∂f_t/∂e_i|`` reduced over the embedding dimension with the L2 norm (tokens) or the
maximum over channels (pixels); ``f_t`` is the target class's logit. Uses captum's
``Saliency``.
"""

from __future__ import annotations

import torch
from captum.attr import Saliency

from ..models.base import Batch, ModelAdapter
from .base import AttributionMethod, RawScores, register, split_rows
from ._inputs import chosen_logits, per_unit


@register
class SaliencyMethod(AttributionMethod):
    name = "saliency"
    requires = frozenset({"gradients"})
    summary = "gradient magnitude |df/dx| per token (L2 over the embedding) or pixel (max over channels)"

    finds_prediction = True

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        embeddings = adapter.embed(batch).requires_grad_(True)
        seen: list[torch.Tensor] = []

        def forward(e: torch.Tensor) -> torch.Tensor:
            logits = adapter.forward_from_embeddings(e, batch)
            seen.append(logits.detach())
            return logits if targets is not None else chosen_logits(logits, None)

        gradients = Saliency(forward).attribute(embeddings, target=targets, abs=False)
        reduce = "l2" if adapter.modality == "text" else "max_abs"
        return RawScores(split_rows(per_unit(gradients, adapter, reduce), batch.lengths), logits=seen[0])
