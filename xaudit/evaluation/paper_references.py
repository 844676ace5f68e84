"""The reference explanations of Abnar & Zuidema (2020) as the authors' code computes them.

Read from their notebook ``notebooks/attention_flow.ipynb`` (samiraabnar/Reflect, 2020);
re-implemented, not copied. For a sequence ``x = (x_0 … x_{n−1})`` (``x_0`` the CLS token,
``x_{n−1}`` the final token), every position is scored, special tokens included:

- blank-out: ``b_i = |p_y(x) − p_y(x with x_i → [UNK])|`` for ``i < n−1``, ``b_{n−1} = 0``
  (the authors' loop never blanks the final token); ``y`` is the gold class. The absolute
  value makes a drop and a rise equally important, unlike xaudit's signed blank-out.
- input gradients: ``g_i = |Σ_d ∂(p_0(x) − p_1(x)) / ∂e_{i,d}|`` with ``e_i`` the sum of
  token and position embeddings; the gradient with respect to that sum equals the gradient
  with respect to the token embedding alone, which is what is differentiated here. Defined
  for two-class models only (classes 0 and 1).

Both keep xaudit's names (``blankout``, ``saliency``) so that the tables line up; they are
not registered methods: ``protocols.references`` hands them out for ``protocol="paper"``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..attribution.base import AttributionMethod, RawScores, split_rows
from ..errors import ModelError

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter

CITATION = "Abnar & Zuidema (2020), Quantifying Attention Flow in Transformers, ACL; the authors' notebook."
ROWS_PER_FORWARD = 2048


class PaperBlankout(AttributionMethod):
    """``|p_y(x) − p_y(x with token i → [UNK])|`` at every position but the last (scored 0)."""

    name = "blankout"
    title = "Blank-out (authors' code)"
    definition = "|p_y(x) − p_y(x with token i replaced by [UNK])| for every token but the final one (scored 0)."
    citation = CITATION
    requires: frozenset[str] = frozenset()

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor) -> RawScores:
        import torch

        x = adapter.embed(batch)
        blank = adapter.blank_value(batch)
        rows, width = x.shape[0], x.shape[1]
        scores = torch.zeros(rows, width, dtype=torch.float64)
        with torch.no_grad():
            base = _probability(adapter, x, batch, targets)
            step = max(1, ROWS_PER_FORWARD // rows)
            for start in range(0, width, step):
                positions = range(start, min(start + step, width))
                variants = []
                for i in positions:
                    variant = x.clone()
                    variant[:, i] = blank[:, i]
                    variants.append(variant)
                blanked = _probability(adapter, torch.cat(variants), batch, targets.repeat(len(variants)))
                scores[:, start : start + len(variants)] = (base.repeat(len(variants)) - blanked).abs() \
                    .view(len(variants), rows).T.cpu()
        for row, length in enumerate(batch.lengths):
            scores[row, length - 1] = 0.0  # the final token is never blanked
        return RawScores(split_rows(scores, batch.lengths))


class PaperGradient(AttributionMethod):
    """``|Σ_d ∂(p_0 − p_1)/∂e_{i,d}|`` at every position."""

    name = "saliency"
    title = "Input gradients (authors' code)"
    definition = "|Σ_d ∂(p_0(x) − p_1(x))/∂e_{i,d}|, e_i token + position embedding, at every token."
    citation = CITATION
    requires = frozenset({"gradients"})

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores:
        import torch

        embeddings = adapter.embed(batch).requires_grad_(True)
        probabilities = torch.softmax(adapter.forward_from_embeddings(embeddings, batch), dim=-1)
        if probabilities.shape[-1] != 2:
            raise ModelError(f"the paper's gradient reference needs a two-class model; {adapter.name!r} has "
                             f"{probabilities.shape[-1]} classes")
        (gradient,) = torch.autograd.grad((probabilities[:, 0] - probabilities[:, 1]).sum(), embeddings)
        return RawScores(split_rows(gradient.sum(dim=-1).abs().detach().cpu(), batch.lengths))


def _probability(adapter: ModelAdapter, embeddings: torch.Tensor, batch: Batch, targets: torch.Tensor
                 ) -> torch.Tensor:
    import torch

    logits = adapter.forward_from_embeddings(embeddings, batch).double()
    return torch.softmax(logits, dim=-1).gather(1, targets.view(-1, 1).to(logits.device)).squeeze(1)
