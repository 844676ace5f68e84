"""KernelSHAP (Lundberg & Lee 2017), via captum: Shapley values of the units estimated by weighted
linear regression over sampled coalitions; an absent unit takes blank-out's value ([UNK] / black).
Model-agnostic: forward passes only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..validation import Param
from ._per_example import per_example_scores
from .base import AttributionMethod, RawScores

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


class KernelShapMethod(AttributionMethod):
    name = "kernel-shap"
    title = "KernelSHAP"
    definition = ("Shapley values φ_i of f_t over the units, estimated by the Shapley-kernel-weighted linear "
                  "regression on sampled coalitions; absent units take the blank-out value.")
    citation = "Lundberg & Lee (2017), A Unified Approach to Interpreting Model Predictions, NeurIPS."
    requires: frozenset[str] = frozenset()
    in_defaults = False
    parameters = (Param("n_samples", int, 200, "Sampled coalitions per example for kernel-shap and lime.",
                        minimum=2),)

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        from captum.attr import KernelShap

        def explain(forward, x, blank, mask, target):
            return KernelShap(forward).attribute(x, baselines=blank, target=target, feature_mask=mask,
                                                 n_samples=self.params["n_samples"], perturbations_per_eval=50)

        return per_example_scores(adapter, batch, targets, explain)
