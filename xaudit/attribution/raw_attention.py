"""Raw attention: the attention weights of the output token, heads averaged, per layer."""

from __future__ import annotations

import numpy as np

from ._attention import AttentionGraphMethod
from .base import register


def output_row(matrices: np.ndarray, position: int) -> np.ndarray:
    """``(layers, n)``: each layer's attention row of the output position."""
    return matrices[:, position, :]


@register
class RawAttentionMethod(AttentionGraphMethod):
    name = "attention"
    summary = "attention weights of the output token (heads averaged), at each layer"
    compute = staticmethod(output_row)
