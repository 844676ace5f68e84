"""Blank-out (occlusion; Zeiler & Fergus 2014): the drop in the target probability when one unit is blanked.

Each token is replaced, one at a time, by [UNK] (or [MASK] when there is no [UNK]), each
pixel by black, as in Abnar & Zuidema (2020): ``s_i = p_t(x) − p_t(x with unit i blanked)``.
Uses captum's ``FeatureAblation`` in embedding space, which equals replacing the token id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._inputs import unit_feature_mask
from .base import AttributionMethod, RawScores, split_rows
from ..validation import Param

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


class BlankoutMethod(AttributionMethod):
    name = "blankout"
    title = "Blank-out"
    definition = "p_t(x) − p_t(x with unit i replaced by [UNK] / a black pixel), one unit at a time."
    citation = "Abnar & Zuidema (2020); Zeiler & Fergus (2014) for occlusion."
    requires: frozenset[str] = frozenset()  # forward passes only: any model
    parameters = (Param("rows_per_eval", int, 2048, "Blanked copies per forward pass.", minimum=1, cli=False),)

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor) -> RawScores:
        import torch
        from captum.attr import FeatureAblation

        from ..models.base import unit_view

        x = adapter.embed(batch)
        blank = adapter.blank_value(batch)

        def probabilities(e: torch.Tensor) -> torch.Tensor:
            # float64: a confident model's probabilities saturate at 1.0 in float32, erasing small drops
            return torch.softmax(adapter.forward_from_embeddings(e, batch).double(), dim=-1)

        per_eval = max(1, self.params["rows_per_eval"] // len(batch))
        with torch.no_grad():
            attributions = FeatureAblation(probabilities).attribute(
                x, baselines=blank, target=targets, feature_mask=unit_feature_mask(x, adapter),
                perturbations_per_eval=per_eval,
            )
        scores = unit_view(attributions, adapter.modality)[..., 0]
        return RawScores(split_rows(scores, batch.lengths))
