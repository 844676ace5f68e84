"""Gradient saliency (Simonyan, Vedaldi & Zisserman 2014) on token embeddings or pixels.

``|∂f_t/∂e_i|`` reduced over the embedding dimension with the L2 norm (tokens) or the
maximum over channels (pixels), summed in absolute value over a table column's encoded
(one-hot) parts; ``f_t`` is the target class's logit. Uses captum's
``Saliency``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._inputs import chosen_logits, per_unit
from .base import AttributionMethod, RawScores, split_rows

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


REDUCE = {"text": "l2", "image": "max_abs", "tabular": "sum_abs"}
"""How a unit's gradient is reduced: L2 over a token's embedding, the largest channel of a pixel,
the sum of |gradient| over a table column's encoded parts (one-hot parts summed)."""


class SaliencyMethod(AttributionMethod):
    name = "saliency"
    title = "Gradient saliency"
    definition = ("|∂f_t/∂e_i|: L2 norm over the embedding of the gradient of the explained class's logit f_t "
                  "with respect to token i's embedding; for images the maximum over channels; for a table column "
                  "the sum over its encoded (one-hot) parts.")
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
        reduce = REDUCE[adapter.modality]
        return RawScores(split_rows(per_unit(gradients, adapter, reduce), batch.lengths), logits=seen[0])
