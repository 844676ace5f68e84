"""Integrated gradients (Sundararajan et al. 2017), via captum, with its convergence delta.

``IG_i = (x_i − b_i) · ∫₀¹ ∂f_t(b + α(x − b))/∂x_i dα``, summed over each unit's features;
the delta is ``Σ_i IG_i − (f_t(x) − f_t(b))`` (completeness error).
"""

from __future__ import annotations

import torch
from captum.attr import IntegratedGradients

from ..models.base import Batch, ModelAdapter
from ..validation import check_int
from .base import AttributionMethod, RawScores, register, split_rows
from ._inputs import per_unit


@register
class IntegratedGradientsMethod(AttributionMethod):
    name = "ig"
    requires = frozenset({"gradients"})
    summary = "integrated gradients from a baseline (completeness: scores sum to f(x) - f(b))"

    def __init__(self, n_steps: int = 50, baseline: str | None = None, internal_batch_size: int = 1024) -> None:
        check_int("n_steps", n_steps, minimum=1)
        check_int("internal_batch_size", internal_batch_size, minimum=1)
        super().__init__(n_steps=n_steps, baseline=baseline, internal_batch_size=internal_batch_size)

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor) -> RawScores:
        x = adapter.embed(batch)
        b = adapter.baseline(batch, self.params["baseline"])
        forward = lambda e: adapter.forward_from_embeddings(e, batch)  # noqa: E731
        chunk = max(len(batch), self.params["internal_batch_size"] // len(batch) * len(batch))
        attributions, delta = IntegratedGradients(forward).attribute(
            x, baselines=b, target=targets, n_steps=self.params["n_steps"], method="gausslegendre",
            internal_batch_size=chunk, return_convergence_delta=True,
        )
        scores = per_unit(attributions.detach(), adapter, "sum")
        return RawScores(split_rows(scores, batch.lengths), [{"convergence_delta": float(d)} for d in delta.tolist()])
