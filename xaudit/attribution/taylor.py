"""Taylor attributions around a baseline (gradient × input generalised; Montavon et al. 2018).

First order: ``a_i = (x_i − b_i)·∇_{x_i} f(x)``. Second order (``order=2``) expands f around
x and evaluates it at b, which adds the Hessian term with the sign that makes the
expansion exact for quadratics: ``a_i −= ½ (x_i − b_i)·[H(x)(x − b)]_i``. The
Hessian-vector product is reverse-over-reverse autograd (double backward); ``torch.func``
transforms cannot trace fused recurrent kernels such as ``nn.LSTM``'s. The remainder
``f(x) − f(b) − Σ_i a_i`` is reported per example.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._inputs import BASELINE, chosen_logits, per_unit, target_logits
from .base import AttributionMethod, RawScores, split_rows
from ..validation import Param

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter


class TaylorMethod(AttributionMethod):
    name = "taylor"
    title = "Taylor attribution"
    definition = ("First order a_i = (x_i − b_i)·∇_i f(x) around a baseline b ([UNK] embedding for words, [PAD] "
                  "for a model without [UNK]; a black image); the second-order variant subtracts "
                  "½ (x_i − b_i)·[H(x)(x − b)]_i. The remainder f(x) − f(b) − Σ a_i is reported.")
    citation = "Montavon et al. (2018), Methods for interpreting and understanding deep neural networks."
    requires = frozenset({"gradients"})
    parameters = (Param("order", int, 1, "Taylor order: 1, or 2 to add the Hessian term.", choices=(1, 2)),
                  BASELINE)
    finds_prediction = True

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        import torch

        x = adapter.embed(batch)
        b = adapter.baseline(batch, self.params["baseline"])

        second_order = self.params["order"] == 2
        delta = x - b
        x = x.clone().requires_grad_(True)
        logits = adapter.forward_from_embeddings(x, batch)
        if targets is None:
            targets = logits.argmax(dim=1)
        f_x = chosen_logits(logits, targets)
        (gradient,) = torch.autograd.grad(f_x.sum(), x, create_graph=second_order)
        contribution = delta * gradient
        if second_order:
            (hessian_delta,) = torch.autograd.grad((gradient * delta).sum(), x)  # H symmetric: ∇(gᵀv) = Hv
            contribution = contribution - 0.5 * delta * hessian_delta
        scores = per_unit(contribution.detach(), adapter, "sum")
        with torch.no_grad():
            gap = f_x.detach() - target_logits(adapter, b, batch, targets)
        rows = split_rows(scores, batch.lengths)
        # Padding contributes nothing for a pad baseline; the remainder uses all positions.
        remainder = (gap - scores.sum(dim=1)).cpu().tolist()
        extras = [{"remainder": float(r), "f_x_minus_f_b": float(g)} for r, g in zip(remainder, gap.tolist())]
        return RawScores(rows, extras, logits=logits.detach())
