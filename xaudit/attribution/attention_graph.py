"""The attention graph of Abnar & Zuidema (2020): heads averaged, residual added.

``Â = 0.5·A + 0.5·I`` with rows renormalised, per layer. Rollout multiplies these
matrices through the layers; flow treats them as edge capacities of a layered DAG.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError


def _to_numpy(attn: object) -> np.ndarray:
    """A numpy array from an array, a torch tensor (with grad or on a GPU) or a tuple of either
    (transformers' ``outputs.attentions``: one ``(batch, heads, n, n)`` tensor per layer)."""
    if isinstance(attn, (tuple, list)) and attn and all(hasattr(a, "shape") for a in attn):
        return np.stack([_to_numpy(layer) for layer in attn])
    if hasattr(attn, "detach"):  # a torch tensor (torch itself is not imported for numpy input)
        attn = attn.detach().cpu().double().numpy()
    return np.asarray(attn, dtype=np.float64)


def attention_batch(attn: object) -> tuple[np.ndarray, bool]:
    """Attention as ``(batch, layers, n, n)`` with heads averaged, and whether the input had a batch.

    Accepted: ``(layers, heads, n, n)`` or ``(layers, n, n)`` for one input; ``(layers, batch,
    heads, n, n)`` or a tuple of per-layer ``(batch, heads, n, n)`` tensors (transformers'
    ``outputs.attentions``) for a batch. Padded positions are the caller's to drop.
    """
    array = _to_numpy(attn)
    batched = array.ndim == 5
    if batched:
        array = array.mean(axis=2).transpose(1, 0, 2, 3)
    elif array.ndim == 4:
        array = array.mean(axis=1)[None]
    elif array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[2] != array.shape[3] or min(array.shape) < 1:
        raise DataError(
            "attention must have shape (layers, heads, n, n) or (layers, n, n), or be a batch: (layers, batch, "
            f"heads, n, n) or transformers' tuple of (batch, heads, n, n) tensors; got {tuple(np.shape(array))}"
        )
    if not np.isfinite(array).all():
        raise DataError("attention contains NaN or infinite values")
    if (array < 0).any():
        raise DataError("attention contains negative weights")
    return array, batched


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
