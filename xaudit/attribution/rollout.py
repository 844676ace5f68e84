"""Attention rollout (Abnar & Zuidema 2020): products of residual-augmented attention."""

from __future__ import annotations

import numpy as np

from ._attention import AttentionGraphMethod
from .attention_graph import as_layer_matrices, check_output_index, with_residual


def attention_rollout(attn: object, output_index: int | None = 0) -> np.ndarray:
    """Rollout of attention ``(layers, heads, n, n)`` or ``(layers, n, n)``.

    Rollout at layer l is ``Â_l · Â_{l-1} ⋯ Â_1``. Returns ``(layers, n)``: row l holds the
    importance of each input token for token ``output_index`` after layer l+1 (rows sum
    to 1). With ``output_index=None`` returns the full ``(layers, n, n)`` rollouts.
    """
    augmented = with_residual(as_layer_matrices(attn))
    check_output_index(output_index, augmented.shape[-1])
    rolled = np.empty_like(augmented)
    rolled[0] = augmented[0]
    for layer in range(1, len(augmented)):
        rolled[layer] = augmented[layer] @ rolled[layer - 1]
    return rolled if output_index is None else rolled[:, output_index, :]


class RolloutMethod(AttentionGraphMethod):
    name = "rollout"
    title = "Attention rollout"
    definition = ("Â = 0.5·A + 0.5·I (rows renormalised), multiplied through the layers: Â_l·Â_{l−1}⋯Â_1; the "
                  "output token's row.")
    citation = "Abnar & Zuidema (2020), Quantifying Attention Flow in Transformers, ACL."
    compute = staticmethod(attention_rollout)
