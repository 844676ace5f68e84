"""Helpers shared by the input-space methods (saliency, taylor, ig, blankout)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..validation import Param

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter

BASELINE = Param("baseline", str, None, "Baseline for taylor and ig: unk (default), pad, zero, mask (text) or "
                 "black (default), zero (images).", optional=True, metavar="<unk|pad|zero|mask|black>")
"""The baseline parameter that Taylor and integrated gradients share (checked by the adapter)."""


def target_logits(adapter: ModelAdapter, embeddings: torch.Tensor, batch: Batch,
                  targets: torch.Tensor | None) -> torch.Tensor:
    """``f_t(x)`` per example: the target class's logit, ``(B,)``."""
    return chosen_logits(adapter.forward_from_embeddings(embeddings, batch), targets)


def chosen_logits(logits: torch.Tensor, targets: torch.Tensor | None) -> torch.Tensor:
    """Each row's logit of its target class, ``(B,)``; ``targets=None``: of the predicted (largest) class."""
    if targets is None:
        return logits.max(dim=1).values
    return logits.gather(1, targets.view(-1, 1)).squeeze(1)


def per_unit(values: torch.Tensor, adapter: ModelAdapter, reduce: str) -> torch.Tensor:
    """Reduce input-shaped values to ``(B, units)``: ``sum``, ``sum_abs``, ``l2`` or ``max_abs`` over features."""
    from ..models.base import unit_view

    units = unit_view(values, adapter.modality)
    if reduce == "sum":
        return units.sum(dim=-1)
    if reduce == "sum_abs":
        return units.abs().sum(dim=-1)
    if reduce == "l2":
        return units.norm(dim=-1)
    return units.abs().amax(dim=-1)


def unit_feature_mask(embeddings: torch.Tensor, adapter: ModelAdapter) -> torch.Tensor:
    """Integer mask giving every feature the id of its unit (token position, table column or pixel)."""
    import torch

    if adapter.modality != "image":
        _, n, _ = embeddings.shape
        return torch.arange(n, device=embeddings.device).view(1, n, 1)
    _, _, height, width = embeddings.shape
    return torch.arange(height * width, device=embeddings.device).view(1, 1, height, width)
