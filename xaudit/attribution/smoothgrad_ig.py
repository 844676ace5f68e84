"""SmoothGrad over integrated gradients (Smilkov et al. 2017; Sundararajan et al. 2017), via captum's
``NoiseTunnel`` around ``IntegratedGradients``: IG from ig's baseline to noisy copies of the input,
averaged, summed over each unit's features. ``noise_samples × n_steps`` gradient passes per example,
so it runs only when named."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._inputs import BASELINE
from ._per_example import noise_scale, per_example_gradients
from .base import AttributionMethod, RawScores
from .integrated_gradients import IntegratedGradientsMethod
from .smoothgrad import NOISE_LEVEL, NOISE_SAMPLES

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter

N_STEPS = next(p for p in IntegratedGradientsMethod.parameters if p.name == "n_steps")


class SmoothGradIGMethod(AttributionMethod):
    name = "smoothgrad-ig"
    title = "SmoothGrad (integrated gradients)"
    definition = ("E_ε[IG_i(x + ε)] with ε ~ N(0, σ²), σ = noise level·(max x − min x), IG from ig's baseline "
                  "(Gauss-Legendre steps), summed over each unit's features.")
    citation = ("Smilkov et al. (2017), SmoothGrad: removing noise by adding noise; Sundararajan, Taly & Yan (2017), "
                "Axiomatic Attribution for Deep Networks.")
    requires = frozenset({"gradients"})
    in_defaults = False
    parameters = (NOISE_SAMPLES, NOISE_LEVEL, N_STEPS, BASELINE)

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        from captum.attr import IntegratedGradients, NoiseTunnel

        def explain(forward, x, single, target):
            return NoiseTunnel(IntegratedGradients(forward)).attribute(
                x, nt_type="smoothgrad", nt_samples=self.params["noise_samples"], nt_samples_batch_size=1,
                stdevs=noise_scale(x, self.params["noise_level"]), target=target,
                baselines=adapter.baseline(single, self.params["baseline"]), n_steps=self.params["n_steps"],
                method="gausslegendre")

        return per_example_gradients(adapter, batch, targets, explain, "sum")
