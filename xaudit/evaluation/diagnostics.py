"""Degeneracy diagnostics: is a model's blank-out signal rich enough to rank the words?

A rank correlation against blank-out (Abnar & Zuidema 2020, Table 1) means little when
the model's decision hardly depends on most words. Per evaluated sentence, with the
gold class y and xaudit's signed blank-out ``s_i = p_y(x) − p_y(x with word i → [UNK])``
over the word tokens:

- logit gap ``z_y − z_other`` (two classes; the largest other logit otherwise): its 5/50/95%
  quantiles. Nearly equal quantiles mean a saturated, near-constant decision;
- words moved: the number of words with ``|s_i| > 0.01 · max_j |s_j|`` (0 when every drop
  is 0); its mean and median over sentences. Below it, the ranks are noise;
- negative drops: the share of all words whose blanking raises ``p_y`` (``s_i < 0``);
- accuracy by attractor count (Linzen et al. 2016), where the data gives counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch

from ..models.base import ModelAdapter
from .perturbation import candidate_units

QUANTILES = (0.05, 0.5, 0.95)
MOVED_SHARE = 0.01


@dataclass(frozen=True)
class Diagnostics:
    """The diagnostics of one model on the evaluated sentences (see the module docstring)."""

    n: int
    logit_gap_quantiles: dict[str, float]
    words_moved_mean: float
    words_moved_median: float
    words_mean: float
    negative_drop_share: float
    accuracy_by_attractors: dict[str, float]
    n_by_attractors: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def words_moved(drops: np.ndarray) -> int:
    """How many of ``drops`` exceed ``MOVED_SHARE`` of the largest in magnitude."""
    magnitude = np.abs(np.asarray(drops, dtype=np.float64))
    largest = float(magnitude.max()) if magnitude.size else 0.0
    return 0 if largest == 0.0 else int((magnitude > MOVED_SHARE * largest).sum())


def degeneracy(adapter: ModelAdapter, inputs: Sequence[str], labels: Sequence[int],
               attractors: Sequence[int] | None = None, batch_size: int = 64) -> Diagnostics:
    """The diagnostics of ``adapter`` on ``inputs`` with gold ``labels`` (and attractor counts, if known)."""
    from ..attribution.registry import build_methods

    (blankout,) = build_methods(["blankout"], {})
    gaps, moved, lengths, drops, correct = [], [], [], [], []
    for start in range(0, len(inputs), batch_size):
        batch = adapter.encode(list(inputs[start : start + batch_size]))
        gold = torch.tensor(list(labels[start : start + batch_size]))
        with torch.no_grad():
            logits = adapter.forward(batch).double().cpu()
        gold_logit = logits.gather(1, gold.view(-1, 1)).squeeze(1)
        others = logits.scatter(1, gold.view(-1, 1), float("-inf")).max(dim=1).values
        gaps += (gold_logit - others).tolist()
        correct += (logits.argmax(dim=1) == gold).tolist()
        for row, attribution in enumerate(blankout.attribute(adapter, batch, target=gold.tolist())):
            word_drops = attribution.scores[candidate_units(batch, row)]
            moved.append(words_moved(word_drops))
            lengths.append(len(word_drops))
            drops.append(word_drops)
    by_count: dict[int, list[bool]] = defaultdict(list)
    for count, ok in zip(attractors or [], correct):
        by_count[count].append(ok)
    all_drops = np.concatenate(drops) if drops else np.zeros(0)
    return Diagnostics(
        len(inputs), {f"{q:.0%}": float(np.quantile(gaps, q)) for q in QUANTILES}, float(np.mean(moved)),
        float(np.median(moved)), float(np.mean(lengths)), float((all_drops < 0).mean()) if all_drops.size else 0.0,
        {str(k): float(np.mean(v)) for k, v in sorted(by_count.items())},
        {str(k): len(v) for k, v in sorted(by_count.items())})
