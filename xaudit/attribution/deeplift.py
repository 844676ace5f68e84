"""DeepLIFT with the Rescale rule (Shrikumar, Greenside & Kundaje 2017), via captum's ``DeepLift``.

Each element-wise non-linearity passes on ``Δout/Δin`` relative to the baseline run instead of its
gradient, so the scores (summed over each unit's features) add up to ``f_t(x) − f_t(b)`` for
ig's baseline b; the remainder is reported as ``convergence_delta``. Captum has the rule for
ReLU, Tanh, Sigmoid, max-pooling and the like; GELU (the tabular MLP's) is element-wise too and
gets the same rule here. On the shipped CNN captum's max-pooling rule leaves a remainder of a few
percent of ``f(x) − f(b)`` (measured in the tests); read ``convergence_delta``. Transformers (softmax attention, layer normalisation) and recurrent
networks (multiplicative gates inside ``nn.LSTM``) have no such rule: captum would fall back to
plain gradients there, so they are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ._inputs import BASELINE, per_unit
from .base import AttributionMethod, RawScores, split_rows

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


@contextmanager
def gelu_rescaled() -> Iterator[None]:
    """Give ``nn.GELU`` captum's element-wise Rescale rule while DeepLift runs."""
    from captum.attr._core import deep_lift
    from torch import nn

    added = nn.GELU not in deep_lift.SUPPORTED_NON_LINEAR
    if added:
        deep_lift.SUPPORTED_NON_LINEAR[nn.GELU] = deep_lift.nonlinear
    try:
        yield
    finally:
        if added:
            del deep_lift.SUPPORTED_NON_LINEAR[nn.GELU]


def embedded_module(adapter: ModelAdapter, batch: Batch) -> torch.nn.Module:
    """The adapter's network as an ``nn.Module`` called on embeddings (DeepLift hooks its modules)."""
    from torch import nn

    class Embedded(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = adapter.model

        def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
            return adapter.forward_from_embeddings(embeddings, batch)

    return Embedded()


class DeepLiftMethod(AttributionMethod):
    name = "deeplift"
    title = "DeepLIFT (Rescale)"
    definition = ("Multipliers Δout/Δin at each element-wise non-linearity relative to the baseline run (ig's "
                  "baseline), chained to the input and times (x_i − b_i); scores sum to f(x) − f(b) up to the "
                  "reported convergence delta.")
    citation = ("Shrikumar, Greenside & Kundaje (2017), Learning Important Features Through Propagating Activation "
                "Differences, ICML.")
    requires = frozenset({"gradients"})
    kinds = frozenset({"conv", "mlp"})
    kinds_reason = ("DeepLIFT's rules cover element-wise non-linearities; attention (softmax of products), layer "
                    "normalisation and recurrent gates have none in captum, which would silently use plain "
                    "gradients there; use ig, smoothgrad or taylor")
    parameters = (BASELINE,)

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor) -> RawScores:
        from captum.attr import DeepLift

        x = adapter.embed(batch).requires_grad_(True)
        b = adapter.baseline(batch, self.params["baseline"])
        with gelu_rescaled():
            attributions, delta = DeepLift(embedded_module(adapter, batch)).attribute(
                x, baselines=b, target=targets, return_convergence_delta=True)
        scores = per_unit(attributions.detach(), adapter, "sum")
        return RawScores(split_rows(scores, batch.lengths), [{"convergence_delta": float(d)} for d in delta.tolist()])
