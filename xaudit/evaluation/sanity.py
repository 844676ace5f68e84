"""The cascading model-parameter randomisation test (Adebayo et al. 2018, Sanity Checks for Saliency Maps).

The model's parameterised layers are re-initialised from the top (the classifier) down, one more
at each step k = 1..L, each from its own seed; at every step each method explains the same
inputs for the same targets, and the Spearman rank correlation between the magnitudes of its
scores on the trained and on the randomised model (over the non-special units) is averaged over
the examples, with a bootstrap interval. An explanation that still correlates with the trained
model's once every layer is random does not depend on what the model learned: it fails.

The explained input itself is not randomised: a text model's token-embedding table maps words to
the vectors that gradient methods differentiate and blank-out replaces, as pixels are an image
model's input, so re-initialising it would change the input rather than the model above it.

Layers: a transformer's blocks (the ``nn.ModuleList`` with ``config.num_hidden_layers`` entries),
with everything above the last block as one step (the head) and everything below the first as
the last step (the other embeddings: positions, token types, their normalisation); in other networks each module that owns parameters is a layer.
A module is re-initialised with its own ``reset_parameters`` (PyTorch's default initialiser),
parameters of modules without one (a ViT's [CLS] token) from N(0, 0.02²).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..attribution.base import AttributionMethod
from ..models.base import Batch, ModelAdapter
from ..progress import ProgressFn, silent
from .perturbation import candidate_units
from .ranking import spearman
from .statistics import bootstrap_interval
from .stability import layer_scores

THRESHOLD = 0.5
"""A method fails when its mean rank correlation with every layer randomised is at least this."""

UNCHANGED = 0.99
"""A method whose mean rank correlation is at least this with the output layers alone randomised does not read them."""


@dataclass(frozen=True)
class SanityStep:
    """One method at one step: mean rank correlation (trained vs top-k randomised) with its 95% interval."""

    method: str
    k: int
    randomised: str
    """The layer re-initialised at this step (those of the earlier steps stay random)."""
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_undefined: int

    def text(self) -> str:
        """The mean and its interval as tables print them (``undefined`` when no correlation was defined)."""
        return "undefined" if self.mean is None else f"{self.mean:.2f} [{self.ci_low:.2f}, {self.ci_high:.2f}]"


def sanity_grid(steps: Sequence[SanityStep], methods: Sequence[str], missing: str = "") -> tuple[
        list[tuple[int, str]], list[list[str]]]:
    """The randomisation steps (k, layer re-initialised) and, per method, its cell text at each step."""
    columns = sorted({(s.k, s.randomised) for s in steps})
    cells = {(s.method, s.k): s.text() for s in steps}
    return columns, [[cells.get((method, k), missing) for k, _ in columns] for method in methods]


def layer_groups(model: nn.Module, inputs: nn.Module | None = None) -> list[tuple[str, list[nn.Module]]]:
    """The model's layers from the top down, each as (name, modules owning its parameters); ``inputs``, the
    module the explained inputs come from (a token-embedding table), is left out."""
    owners = [(name, module) for name, module in model.named_modules()
              if next(module.parameters(recurse=False), None) is not None and module is not inputs]
    config = getattr(model, "config", None)
    count = getattr(config, "num_hidden_layers", None)
    blocks = next((m for m in model.modules() if isinstance(m, nn.ModuleList) and len(m) == count), None)
    if blocks is None:
        return [(name, [module]) for name, module in reversed(owners)]
    block_of = {id(sub): i for i, block in enumerate(blocks) for sub in block.modules()}
    inside = [i for i, (_, module) in enumerate(owners) if id(module) in block_of]
    below = [m for i, (_, m) in enumerate(owners) if i < inside[0]]
    above = [(name, m) for i, (name, m) in enumerate(owners) if i > inside[-1]]
    groups = [(f"head ({', '.join(name for name, _ in above)})", [m for _, m in above])] if above else []
    groups += [(f"layer {i + 1}", [m for _, m in owners if block_of.get(id(m)) == i]) for i in reversed(range(count))]
    return groups + ([("embeddings", below)] if below else [])


@torch.no_grad()
def reinitialise(modules: Sequence[nn.Module], seed: int) -> None:
    """Fresh parameters for ``modules`` from ``seed`` (without touching the caller's generator)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for module in modules:
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
            else:
                for parameter in module.parameters(recurse=False):
                    nn.init.normal_(parameter, std=0.02)


def detached_copy(adapter: ModelAdapter) -> ModelAdapter:
    """The adapter with its own copy of the network (tokenizer, vocabulary and processor shared)."""
    shared = {id(value): value for name in ("tokenizer", "vocab", "processor")
              if (value := getattr(adapter, name, None)) is not None}
    return copy.deepcopy(adapter, memo=shared)


def _magnitudes(methods: Sequence[AttributionMethod], adapter: ModelAdapter, batches: Sequence[Batch],
                targets: Sequence[torch.Tensor], seed: int) -> dict[str, list[np.ndarray]]:
    """Per method, per example: |scores| (a layered method's last layer)."""
    out: dict[str, list[np.ndarray]] = {m.name: [] for m in methods}
    for batch, target in zip(batches, targets):
        for name, rows in layer_scores(methods, adapter, batch, target, seed).items():
            out[name] += [np.abs(r[-1]) for r in rows]
    return out


def cascading_randomisation(adapter: ModelAdapter, batches: Sequence[Batch], targets: Sequence[torch.Tensor],
                            methods: Sequence[AttributionMethod], seed: int = 0,
                            progress: ProgressFn = silent) -> list[SanityStep]:
    """Every method's rank correlation between the trained and the top-k-randomised model, k = 1..L."""
    candidates = [candidate_units(batch, row) for batch in batches for row in range(len(batch))]
    trained = _magnitudes(methods, adapter, batches, targets, seed)
    randomised = detached_copy(adapter)
    embedding = getattr(randomised, "_embedding_layer", None)
    groups = layer_groups(randomised.model, embedding() if embedding is not None else None)
    steps = []
    for k, (name, modules) in enumerate(groups, start=1):
        reinitialise(modules, seed + k)
        scores = _magnitudes(methods, randomised, batches, targets, seed)
        for method in methods:
            rho = [spearman(a[c], b[c]) for a, b, c in zip(trained[method.name], scores[method.name], candidates)]
            values = [r for r in rho if r is not None]
            low, high = bootstrap_interval(values, seed)
            steps.append(SanityStep(method.name, k, name, float(np.mean(values)) if values else None, low, high,
                                    len(values), len(rho) - len(values)))
        progress("sanity check", k, len(groups))
    return steps


def verdicts(steps: Sequence[SanityStep], threshold: float = THRESHOLD) -> dict[str, bool | None]:
    """Per method: passes (True) when its mean rank correlation with every layer random is below ``threshold``;
    None when undefined there."""
    last = {}
    for step in steps:
        if step.method not in last or step.k > last[step.method].k:
            last[step.method] = step
    return {name: None if step.mean is None else step.mean < threshold for name, step in last.items()}


def blind_to_the_head(steps: Sequence[SanityStep], threshold: float = UNCHANGED) -> list[str]:
    """Methods whose scores stay the same (mean rank correlation >= ``threshold``) when only the first step's
    layers, the output head, are re-initialised: they cannot say why one class was chosen over another."""
    return [s.method for s in steps if s.k == 1 and s.mean is not None and s.mean >= threshold]
