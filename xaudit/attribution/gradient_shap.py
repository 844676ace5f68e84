"""GradientSHAP (Lundberg & Lee 2017; Erion et al. 2021's expected gradients), via captum: the expectation
of ``∇f_t(b + α(x + ε − b)) · (x + ε − b)`` over α ~ U(0, 1) and Gaussian noise ε on the input, from
ig's baseline, summed over each unit's features. Sampling: it runs only when named."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._inputs import BASELINE
from ._per_example import noise_scale, per_example_gradients
from .base import AttributionMethod, RawScores
from .smoothgrad import NOISE_LEVEL, NOISE_SAMPLES

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


class GradientShapMethod(AttributionMethod):
    name = "gradient-shap"
    title = "GradientSHAP"
    definition = ("E_{α,ε}[∇_i f_t(b + α(x + ε − b))·(x_i + ε_i − b_i)], α ~ U(0, 1), ε ~ N(0, σ²) with "
                  "σ = noise level·(max x − min x), from ig's baseline b; sums to f(x) − f(b) in expectation.")
    citation = ("Lundberg & Lee (2017), A Unified Approach to Interpreting Model Predictions, NeurIPS; Erion et al. "
                "(2021), Improving performance of deep learning models with axiomatic attribution priors and "
                "expected gradients, Nature Machine Intelligence.")
    requires = frozenset({"gradients"})
    in_defaults = False
    parameters = (NOISE_SAMPLES, NOISE_LEVEL, BASELINE)

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        from captum.attr import GradientShap

        def explain(forward, x, single, target):
            return GradientShap(forward).attribute(
                x, baselines=adapter.baseline(single, self.params["baseline"]), target=target,
                n_samples=self.params["noise_samples"], stdevs=noise_scale(x, self.params["noise_level"]))

        return per_example_gradients(adapter, batch, targets, explain, "sum")
