"""SmoothGrad (Smilkov et al. 2017), via captum's ``NoiseTunnel`` around ``Saliency``: the gradient of the
explained logit averaged over copies of the input with Gaussian noise, then reduced per unit as
saliency reduces it (L2 over a token's embedding, the largest channel of a pixel, the sum of
|gradient| over a table column's parts). Noise: ``σ = noise_level · (max x − min x)`` per example."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..validation import Param
from ._per_example import noise_scale, per_example_gradients
from .base import AttributionMethod, RawScores
from .saliency import REDUCE

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter

NOISE_SAMPLES = Param("noise_samples", int, 20, "Noisy copies per example for smoothgrad, smoothgrad-ig and "
                      "gradient-shap.", minimum=1)
NOISE_LEVEL = Param("noise_level", float, 0.1, "Noise standard deviation for smoothgrad, smoothgrad-ig and "
                    "gradient-shap, as a fraction of the example's input range (max − min).", minimum=0.0)


class SmoothGradMethod(AttributionMethod):
    name = "smoothgrad"
    title = "SmoothGrad (saliency)"
    definition = ("‖E_ε[∂f_t/∂e_i (x + ε)]‖ with ε ~ N(0, σ²), σ = noise level·(max x − min x): the gradient "
                  "averaged over noisy copies of the input, reduced per unit as saliency is.")
    citation = "Smilkov et al. (2017), SmoothGrad: removing noise by adding noise, arXiv:1706.03825."
    requires = frozenset({"gradients"})
    parameters = (NOISE_SAMPLES, NOISE_LEVEL)

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        from captum.attr import NoiseTunnel, Saliency

        def explain(forward, x, single, target):
            return NoiseTunnel(Saliency(forward)).attribute(
                x, nt_type="smoothgrad", nt_samples=self.params["noise_samples"],
                stdevs=noise_scale(x, self.params["noise_level"]), target=target, abs=False)

        return per_example_gradients(adapter, batch, targets, explain, REDUCE[adapter.modality])
