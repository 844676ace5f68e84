"""The base of the methods computed from attention weights alone (raw attention, rollout, flow)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..validation import Param
from .attention_graph import check_output_index
from .base import AttributionMethod, RawScores, decision_positions

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


OUTPUT_INDEX = Param("output_index", int, None, "Output position whose attention is explained (default: [CLS], or "
                     "the mask of a masked LM).", optional=True)
"""The parameter every attention-based method takes."""


def layered_scores(
    adapter: ModelAdapter,
    batch: Batch,
    output_index: int | None,
    compute: Callable[[np.ndarray, int], np.ndarray],
    attentions: torch.Tensor | None = None,
) -> RawScores:
    """Apply ``compute(attention (layers, n, n) heads-averaged, output position) -> (layers, n)``.

    Each example's attention is cut to its own length (padding removed); the output
    position defaults to the adapter's (CLS, or the mask of a masked LM). Scores over
    attention tokens are mapped to the adapter's units (patches -> pixels for ViT).
    ``attentions`` (``(layers, B, heads, n, n)``) may be passed in when several methods
    share one forward pass.
    """
    import torch

    if attentions is None:
        attentions = adapter.attentions(batch)
    attentions = attentions.float().mean(dim=2)  # (layers, B, n, n)
    positions = decision_positions(adapter, batch, output_index)
    rows = []
    for row in range(len(batch)):
        n = int(batch.inputs["attention_mask"][row].sum()) if "attention_mask" in batch.inputs else attentions.shape[-1]
        matrices = attentions[:, row, :n, :n].double().cpu().numpy()
        check_output_index(positions[row], n)
        scores = compute(matrices, positions[row])
        rows.append(adapter.attention_to_units(torch.from_numpy(scores)).numpy())
    return RawScores(rows)


class AttentionGraphMethod(AttributionMethod):
    """A method computed from the attention graph alone: ``compute(matrices, position)`` per example."""

    requires = frozenset({"attentions"})
    layered = True
    from_attentions = True
    parameters = (OUTPUT_INDEX,)
    compute: Callable[[np.ndarray, int], np.ndarray]
    """``(layers, n, n)`` heads-averaged attention and the output position -> ``(layers, n)``."""

    def computation(self) -> Callable[[np.ndarray, int], np.ndarray]:
        """``compute`` with this instance's parameters other than the output position bound."""
        return type(self).compute

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor) -> RawScores:
        return layered_scores(adapter, batch, self.params["output_index"], self.computation())

    def scores_from(self, adapter: ModelAdapter, batch: Batch, attentions: torch.Tensor) -> list[np.ndarray]:
        return layered_scores(adapter, batch, self.params["output_index"], self.computation(), attentions).scores
