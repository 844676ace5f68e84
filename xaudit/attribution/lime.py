"""LIME (Ribeiro, Singh & Guestrin 2016), via captum: a linear surrogate of f_t fitted on samples with
units switched off (blank-out's value), weighted by an exponential kernel on the cosine distance to
the input; its coefficients are the scores. Model-agnostic: forward passes only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._per_example import per_example_scores
from .base import AttributionMethod, RawScores
from .kernel_shap import KernelShapMethod

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


class LimeMethod(AttributionMethod):
    name = "lime"
    title = "LIME (local linear surrogate)"
    definition = ("Coefficients of a linear surrogate of f_t fitted (least squares) to samples with units "
                  "switched off, weighted by exp(−d²/w²) for the cosine distance d to the input (w = 1).")
    citation = "Ribeiro, Singh & Guestrin (2016), \"Why Should I Trust You?\", KDD."
    requires: frozenset[str] = frozenset()
    in_defaults = False
    parameters = KernelShapMethod.parameters

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        from captum._utils.models.linear_model import SkLearnLinearRegression
        from captum.attr import Lime
        from captum.attr._core.lime import get_exp_kernel_similarity_function

        similarity = get_exp_kernel_similarity_function("cosine", kernel_width=1.0)

        def explain(forward, x, blank, mask, target):
            lime = Lime(forward, interpretable_model=SkLearnLinearRegression(), similarity_func=similarity)
            return lime.attribute(x, baselines=blank, target=target, feature_mask=mask,
                                  n_samples=self.params["n_samples"], perturbations_per_eval=50)

        return per_example_scores(adapter, batch, targets, explain)
