"""Gradient saliency (Simonyan, Vedaldi & Zisserman 2014) on token embeddings or pixels.

``|∂f_t/∂e_i|`` reduced over the embedding dimension with the L2 norm (tokens) or the
maximum over channels (pixels); ``f_t`` is the target class's logit. Uses captum's
``Saliency``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._inputs import chosen_logits, per_unit
from .base import AttributionMethod, RawScores, split_rows

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


class SaliencyMethod(AttributionMethod):
    name = "saliency"
    title = "Gradient saliency"
    definition = ("|∂f_t/∂e_i|: L2 norm over the embedding of the gradient of the explained class's logit f_t "
                  "with respect to token i's embedding; for images the maximum over channels.")
    citation = "Simonyan, Vedaldi & Zisserman (2014), Deep Inside Convolutional Networks."
    requires = frozenset({"gradients"})
    finds_prediction = True

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        from captum.attr import Saliency

        embeddings = adapter.embed(batch).requires_grad_(True)
        seen: list[torch.Tensor] = []

        def forward(e: torch.Tensor) -> torch.Tensor:
            logits = adapter.forward_from_embeddings(e, batch)
            seen.append(logits.detach())
            return logits if targets is not None else chosen_logits(logits, None)

        gradients = Saliency(forward).attribute(embeddings, target=targets, abs=False)
        reduce = "l2" if adapter.modality == "text" else "max_abs"
        return RawScores(split_rows(per_unit(gradients, adapter, reduce), batch.lengths), logits=seen[0])
