"""The attention graph of Abnar & Zuidema (2020): heads averaged, residual added.

``Â = 0.5·A + 0.5·I`` with rows renormalised, per layer. Rollout multiplies these
matrices through the layers; flow treats them as edge capacities of a layered DAG.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError


def as_layer_matrices(attn: object) -> np.ndarray:
    """Validate attention shaped ``(layers, heads, n, n)`` or ``(layers, n, n)``; average heads.

    Returns float64 ``(layers, n, n)``.
    """
    if hasattr(attn, "detach"):  # a torch tensor (torch itself is not imported for numpy input)
        attn = attn.detach().cpu().double().numpy()
    array = np.asarray(attn, dtype=np.float64)
    if array.ndim == 4:
        array = array.mean(axis=1)
    if array.ndim != 3 or array.shape[1] != array.shape[2] or array.shape[0] < 1 or array.shape[1] < 1:
        raise DataError(
            f"attention must have shape (layers, heads, n, n) or (layers, n, n); got {tuple(np.shape(attn))}"
        )
    if not np.isfinite(array).all():
        raise DataError("attention contains NaN or infinite values")
    if (array < 0).any():
        raise DataError("attention contains negative weights")
    return array


def with_residual(layers: np.ndarray) -> np.ndarray:
    """``Â = 0.5·A + 0.5·I``, rows renormalised to sum to 1 (Abnar & Zuidema 2020, §3)."""
    n = layers.shape[-1]
    augmented = 0.5 * layers + 0.5 * np.eye(n)
    return augmented / augmented.sum(axis=-1, keepdims=True)


def check_output_index(output_index: int | None, n: int) -> None:
    if output_index is not None and not -n <= output_index < n:
        from ..errors import ParameterError

        raise ParameterError(
            f"The 'output_index' parameter must be an int >= {-n} and <= {n - 1}. Got {output_index!r} instead."
        )
