"""Integrated gradients (Sundararajan, Taly & Yan 2017), via captum, with its convergence delta.

``IG_i = (x_i − b_i) · ∫₀¹ ∂f_t(b + α(x − b))/∂x_i dα``, summed over each unit's features;
the delta is ``Σ_i IG_i − (f_t(x) − f_t(b))`` (completeness error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._inputs import BASELINE, per_unit
from .base import AttributionMethod, RawScores, split_rows
from ..validation import Param

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


class IntegratedGradientsMethod(AttributionMethod):
    name = "ig"
    title = "Integrated gradients"
    definition = ("(x_i − b_i)·∫₀¹ ∂f_t(b + α(x − b))/∂x_i dα from the same baseline as Taylor, Gauss-Legendre "
                  "steps; scores sum to f(x) − f(b) up to the reported convergence delta.")
    citation = "Sundararajan, Taly & Yan (2017), Axiomatic Attribution for Deep Networks."
    requires = frozenset({"gradients"})
    parameters = (
        Param("n_steps", int, 50, "Integration steps for ig.", minimum=1, flag="--steps"),
        BASELINE,
        Param("internal_batch_size", int, 1024, "Interpolated inputs per forward pass.", minimum=1, cli=False),
    )

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor) -> RawScores:
        from captum.attr import IntegratedGradients

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
