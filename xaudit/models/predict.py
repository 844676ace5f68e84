"""Batched predictions through any adapter."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ..progress import ProgressFn, silent
from .base import ModelAdapter


def predict_proba(
    adapter: ModelAdapter, inputs: Sequence[object], batch_size: int = 256, progress: ProgressFn = silent
) -> np.ndarray:
    """Class probabilities ``(n, classes)`` for raw inputs (texts or images)."""
    chunks = []
    for start in range(0, len(inputs), batch_size):
        batch = adapter.encode(list(inputs[start : start + batch_size]))
        with torch.no_grad():
            chunks.append(torch.softmax(adapter.forward(batch).float(), dim=-1).cpu().numpy())
        progress("predicting", min(start + batch_size, len(inputs)), len(inputs))
    return np.concatenate(chunks)
