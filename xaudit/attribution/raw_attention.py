"""Raw attention: the attention weights of the output token, heads averaged, per layer."""

from __future__ import annotations

import numpy as np
import torch

from ..models.base import Batch, ModelAdapter
from .base import AttributionMethod, RawScores, register
from ._attention import layered_scores


@register
class RawAttentionMethod(AttributionMethod):
    name = "attention"
    requires = frozenset({"attentions"})
    layered = True
    summary = "attention weights of the output token (heads averaged), at each layer"

    def __init__(self, output_index: int | None = None) -> None:
        super().__init__(output_index=output_index)

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor) -> RawScores:
        def row_of_output(matrices: np.ndarray, position: int) -> np.ndarray:
            return matrices[:, position, :]

        return layered_scores(adapter, batch, self.params["output_index"], row_of_output)
