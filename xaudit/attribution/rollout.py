"""Attention rollout (Abnar & Zuidema 2020): products of residual-augmented attention."""

from __future__ import annotations

import numpy as np

from ._attention import AttentionGraphMethod
from .attention_graph import attention_batch, check_output_index, with_residual


def attention_rollout(attn: object, output_index: int | None = 0) -> np.ndarray:
    """Rollout of attention ``(layers, heads, n, n)`` or ``(layers, n, n)``.

    Rollout at layer l is ``Â_l · Â_{l-1} ⋯ Â_1``. Returns ``(layers, n)``: row l holds the
    importance of each input token for token ``output_index`` after layer l+1 (rows sum
    to 1). With ``output_index=None`` returns the full ``(layers, n, n)`` rollouts. A batch
    (transformers' ``outputs.attentions`` tuple, or ``(layers, batch, heads, n, n)``) gives
    one such result per input, stacked on a leading batch axis.
    """
    batch, batched = attention_batch(attn)
    check_output_index(output_index, batch.shape[-1])
    results = np.stack([_rollout(with_residual(layers), output_index) for layers in batch])
    return results if batched else results[0]


def _rollout(augmented: np.ndarray, output_index: int | None) -> np.ndarray:
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
