"""Removal-based faithfulness: ERASER's comprehensiveness and sufficiency (DeYoung et al. 2020).

Units are ranked by score (ties broken by position). "Removing" a unit blanks it as
blank-out does ([UNK] for tokens, black for pixels), so sequence length and positions are
unchanged; special tokens are never removed. For a fraction q of the m candidate units,
``k = ceil(q·m)``:

- comprehensiveness(q) = p_t(x) − p_t(x without its top-k units)   (higher: more faithful)
- sufficiency(q)       = p_t(x) − p_t(x with only its top-k units)  (lower: more faithful)
- AOPC = mean over ERASER's bins q ∈ {1, 5, 10, 20, 50}%;
- the deletion curve is p_t after removing the top q for q = 0, 0.1, ..., 1, and its
  area (trapezoid rule over q) summarises it (lower: more faithful).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from ..models.base import Batch, ModelAdapter, from_unit_view, unit_view

ERASER_BINS = (0.01, 0.05, 0.10, 0.20, 0.50)
DELETION_GRID = tuple(i / 10 for i in range(11))


def candidate_units(batch: Batch, row: int) -> np.ndarray:
    """Indices of the units that may be removed: every non-special unit."""
    special = batch.special[row] if batch.special else [False] * len(batch.units[row])
    return np.array([i for i, s in enumerate(special) if not s], dtype=np.int64)


def ranked(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Candidates ordered by descending score, ties by position."""
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]


def removal_probabilities(
    adapter: ModelAdapter,
    batch: Batch,
    orders: Sequence[np.ndarray],
    targets: torch.Tensor,
    fractions: Sequence[float],
    keep: bool,
    rows_per_forward: int = 2048,
) -> np.ndarray:
    """``p_t`` after removing (``keep=False``) or keeping only (``keep=True``) each example's
    top ``ceil(q·m)`` units, for every fraction q: shape ``(B, len(fractions))``.

    Fractions that give the same k for an example share one forward pass.
    """
    x = unit_view(adapter.embed(batch), adapter.modality)
    blank = unit_view(adapter.blank_value(batch), adapter.modality)
    counts = [[math.ceil(q * len(order) - 1e-9) for q in fractions] for order in orders]
    variants = sorted({(row, k) for row, ks in enumerate(counts) for k in ks})
    position = {variant: i for i, variant in enumerate(variants)}
    probabilities = np.empty(len(variants))
    like = adapter.embed(batch)
    with torch.no_grad():
        for start in range(0, len(variants), rows_per_forward):
            chunk = variants[start : start + rows_per_forward]
            rows = [row for row, _ in chunk]
            units = []
            for row, k in chunk:
                chosen = orders[row][k:] if keep else orders[row][:k]
                mask = torch.zeros(x.shape[1], dtype=torch.bool, device=x.device)
                mask[torch.as_tensor(chosen, dtype=torch.long, device=x.device)] = True
                units.append(torch.where(mask.view(-1, 1), blank[row], x[row]))
            index = torch.as_tensor(rows)
            embeddings = from_unit_view(torch.stack(units), like[index], adapter.modality)
            logits = adapter.forward_from_embeddings(embeddings, batch.select(rows))
            probs = torch.softmax(logits.double(), dim=-1)
            picked = probs.gather(1, targets[index].view(-1, 1).to(probs.device)).squeeze(1)
            probabilities[start : start + len(chunk)] = picked.cpu().numpy()
    return np.array([[probabilities[position[(row, k)]] for k in ks] for row, ks in enumerate(counts)])


def removal_measures(
    adapter: ModelAdapter, batch: Batch, scores: Sequence[np.ndarray], targets: torch.Tensor, base: np.ndarray
) -> list[dict[str, float]]:
    """Per example: AOPC comprehensiveness, AOPC sufficiency and deletion-curve area.

    ``base`` holds ``p_t(x)`` per example.
    """
    orders = [ranked(np.asarray(s), candidate_units(batch, row)) for row, s in enumerate(scores)]
    removed = removal_probabilities(adapter, batch, orders, targets, ERASER_BINS + DELETION_GRID, keep=False)
    kept = removal_probabilities(adapter, batch, orders, targets, ERASER_BINS, keep=True)
    bins = len(ERASER_BINS)
    deletion = removed[:, bins:]
    results = []
    for row in range(len(orders)):
        results.append({
            "aopc_comprehensiveness": float(np.mean(base[row] - removed[row, :bins])),
            "aopc_sufficiency": float(np.mean(base[row] - kept[row])),
            "deletion_auc": float(np.trapezoid(deletion[row], DELETION_GRID)),
        })
    return results
