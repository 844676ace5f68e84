"""Raw attention: the attention weights of the output token, heads averaged, per layer (Abnar & Zuidema 2020)."""

from __future__ import annotations

import numpy as np

from ._attention import AttentionGraphMethod


def output_row(matrices: np.ndarray, position: int) -> np.ndarray:
    """``(layers, n)``: each layer's attention row of the output position."""
    return matrices[:, position, :]


class RawAttentionMethod(AttentionGraphMethod):
    name = "attention"
    title = "Raw attention"
    definition = "The output token's ([CLS]) row of the attention matrix, heads averaged."
    citation = "Abnar & Zuidema (2020), Quantifying Attention Flow in Transformers, ACL."
    compute = staticmethod(output_row)
