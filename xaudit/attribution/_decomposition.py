"""The base of the methods that take a transformer's attention blocks apart (attention norms, ALTI, value zeroing).

Each gives, per example and layer, a token-to-token matrix ``C_l[i, j]`` (how much input token j of layer l makes
up its output token i) from one traced forward pass (``models.attention_blocks``). With ``composition="rollout"``
the matrices are multiplied through the layers from the identity, ``C_l ⋯ C_1`` (Abnar & Zuidema 2020), as the
papers compose them; with ``"per-layer"`` each layer's own matrix is kept. The decision position's row after
each layer scores the input tokens.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

import numpy as np

from ..validation import Param
from ._attention import OUTPUT_INDEX
from .attention_graph import check_output_index
from .base import AttributionMethod, RawScores, decision_positions
from .rollout import _rollout

if TYPE_CHECKING:
    import torch

    from ..models.attention_blocks import Block, Trace
    from ..models.base import Batch, ModelAdapter
    from ..models.summary import ModelSummary

COMPOSITION = Param("composition", str, "rollout", "How layers combine: rollout (each layer's contribution matrix "
                    "multiplied through the layers from the identity) or per-layer (each layer's own matrix).",
                    choices=("rollout", "per-layer"))
"""The parameter every decomposition method takes."""


def normalise_rows(matrix: torch.Tensor) -> torch.Tensor:
    """Rows scaled to sum to 1 (a row of zeros stays zero)."""
    return matrix / matrix.sum(dim=-1, keepdim=True).clamp(min=1e-300)


class DecompositionMethod(AttributionMethod):
    """A method computed from each layer's decomposed attention block: subclasses give ``layer_matrix``."""

    requires = frozenset({"attentions"})
    layered = True
    parameters = (OUTPUT_INDEX, COMPOSITION)

    @classmethod
    def why_not(cls, model: ModelAdapter | ModelSummary) -> str | None:
        from ..models.attention_blocks import decomposition_refusal

        reason = super().why_not(model)
        refusal = None if reason is not None else decomposition_refusal(model)
        if refusal is not None:
            return (f"method {cls.name!r} takes attention blocks apart, but model {model.name!r}, a {model.kind} "
                    f"model: {refusal}; use rollout, attention or grad-rollout")
        return reason

    @abstractmethod
    def layer_matrix(self, block: Block, traced: Trace, layer: int, row: int, n: int) -> torch.Tensor:
        """``(n, n)`` float64: ``C[i, j]`` of layer ``layer`` (0-based) for example ``row``, its ``n`` tokens."""

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        import torch

        from ..models.attention_blocks import blocks, trace
        from ..models.base import eval_mode

        layers = blocks(adapter.model)
        positions = decision_positions(adapter, batch, self.params["output_index"])
        mask = batch.inputs.get("attention_mask")
        rows = []
        with eval_mode(adapter.model), torch.no_grad():
            traced = trace(adapter, batch, layers)
            for row in range(len(batch)):
                n = int(mask[row].sum()) if mask is not None else traced.attentions.shape[-1]
                check_output_index(positions[row], n)
                matrices = np.stack([self.layer_matrix(block, traced, layer, row, n).cpu().numpy()
                                     for layer, block in enumerate(layers)])
                if self.params["composition"] == "rollout":
                    scores = _rollout(matrices, positions[row])
                else:
                    scores = matrices[:, positions[row], :]
                rows.append(adapter.attention_to_units(torch.from_numpy(scores)).numpy())
        return RawScores(rows)
