"""Evaluate attribution methods on a model: per example measures, then mean ± std per layer.

Measures (each per method and, for layered methods, per layer):

- ``spearman_vs_<reference>``: rank correlation with a reference explanation (blank-out,
  saliency ...), as in Abnar & Zuidema (2020), Tables 1-2, under a ``protocols.Protocol``:
  ``xaudit`` (over the example's non-special units) or ``paper`` (the authors' definitions);
- ``aopc_comprehensiveness``, ``aopc_sufficiency``, ``deletion_auc`` (ERASER, DeYoung et al. 2020);
- ``gini`` (sparsity); ``max_sensitivity`` (stability, Yeh et al. 2019);
- with ``sanity``, the cascading randomisation test (Adebayo et al. 2018; ``sanity.py``).

Undefined values (a constant vector in a correlation, an all-zero attribution) are left out
of the mean and counted in ``n_undefined``. The target is the true label by default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from .._version import __version__
from ..attribution.base import AttributionMethod
from ..errors import ParameterError
from ..models.base import ModelAdapter
from ..schema import JsonResult, check_envelope, envelope
from ..progress import ProgressFn, silent
from .perturbation import candidate_units, removal_measures
from .protocols import protocol_of
from .ranking import DECIMALS
from .statistics import PairedTest, bootstrap_interval, paired_tests
from .sanity import THRESHOLD, SanityStep, cascading_randomisation, verdicts
from .sparsity import gini
from .stability import layer_scores, max_sensitivity

@dataclass(frozen=True)
class Summary:
    method: str
    measure: str
    layer: int | None
    mean: float | None
    std: float | None
    n: int
    n_undefined: int
    ci_low: float | None = None
    ci_high: float | None = None
    """The mean's 95% percentile-bootstrap interval (``statistics.bootstrap_interval``)."""


@dataclass
class EvaluationResult(JsonResult):
    """Every measure of every method (and layer) on one model: ``xaudit evaluate``'s JSON."""

    kind = "evaluation"
    model: str
    n_examples: int
    methods: list[str]
    references: list[str]
    settings: dict[str, Any]
    summaries: list[Summary] = field(default_factory=list)
    sanity: list[SanityStep] = field(default_factory=list)
    tests: list[PairedTest] = field(default_factory=list)
    """Wilcoxon signed-rank tests between every pair of methods, per measure, Holm-corrected per measure."""
    seconds_per_example: dict[str, float] = field(default_factory=dict)
    """Per method: seconds of its attribution pass per example (the measures' own passes not counted)."""
    compared_layers: dict[str, int | None] = field(default_factory=dict)
    """The layer of each layered method that the tests compare (its last evaluated one)."""
    diagnostics: dict[str, Any] = field(default_factory=dict)
    """Degeneracy diagnostics of the model on the evaluated inputs (``diagnostics.Diagnostics``), when computed."""

    def sanity_verdicts(self) -> dict[str, bool | None]:
        """Per method: passes the randomisation test (None: not run, or undefined)."""
        return verdicts(self.sanity, self.settings.get("sanity_threshold", THRESHOLD))

    def get(self, method: str, measure: str, layer: int | None) -> Summary | None:
        return next((s for s in self.summaries if (s.method, s.measure, s.layer) == (method, measure, layer)), None)

    def measures(self) -> list[str]:
        return list(dict.fromkeys(s.measure for s in self.summaries))

    def layers_of(self, method: str) -> list[int | None]:
        return list(dict.fromkeys(s.layer for s in self.summaries if s.method == method))

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {
            "model": self.model, "n_examples": self.n_examples, "methods": self.methods,
            "references": self.references, "settings": self.settings, "version": __version__,
            "results": [asdict(s) for s in self.summaries], "sanity": [asdict(s) for s in self.sanity],
            "tests": [asdict(t) for t in self.tests], "seconds_per_example": self.seconds_per_example,
            "compared_layers": self.compared_layers} | ({"diagnostics": self.diagnostics} if self.diagnostics else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationResult:
        data = check_envelope(data, cls.kind)
        return cls(data["model"], data["n_examples"], list(data["methods"]), list(data["references"]),
                   dict(data["settings"]), [Summary(**row) for row in data["results"]],
                   [SanityStep(**row) for row in data.get("sanity", [])],
                   [PairedTest(**row) for row in data.get("tests", [])], dict(data.get("seconds_per_example", {})),
                   dict(data.get("compared_layers", {})), dict(data.get("diagnostics", {})))

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([{"kind": "evaluation", "model": self.model} | asdict(s) for s in self.summaries]
                            + [{"kind": "sanity", "model": self.model} | asdict(s) for s in self.sanity]
                            + [{"kind": "paired_test", "model": self.model} | asdict(t) for t in self.tests]
                            + [{"kind": "timing", "model": self.model, "method": m, "seconds_per_example": v}
                               for m, v in self.seconds_per_example.items()])


def _summarise(values: list[float | None]) -> tuple[float | None, float | None, int, int]:
    defined = np.array([v for v in values if v is not None and np.isfinite(v)], dtype=np.float64)
    undefined = len(values) - len(defined)
    if len(defined) == 0:
        return None, None, 0, undefined
    return float(defined.mean()), float(defined.std()), len(defined), undefined


def _wanted(layer: int | None, removal_layers: str | Sequence[int], chosen: list[int | None]) -> bool:
    if layer is None or removal_layers == "all":
        return True
    if removal_layers == "last":
        return layer == max(chosen)
    return layer in removal_layers


def evaluate(
    adapter: ModelAdapter,
    inputs: Sequence[object],
    labels: Sequence[int | None] | None,
    methods: Sequence[AttributionMethod],
    references: Sequence[AttributionMethod],
    *,
    layers: Sequence[int] | None = None,
    target: str | int = "true",
    batch_size: int = 64,
    stability_samples: int = 3,
    noise: float = 0.05,
    removal: bool = True,
    removal_layers: str | Sequence[int] = "last",
    seed: int = 0,
    sanity: bool = False,
    protocol: str = "xaudit",
    progress: ProgressFn = silent,
) -> EvaluationResult:
    """Faithfulness, sparsity and stability of ``methods`` on ``inputs``.

    Rank correlations, Gini and max-sensitivity are computed at every chosen layer of a
    layered method; the removal measures (AOPC, deletion), which need many forward passes,
    at ``removal_layers``: ``"last"`` (default), ``"all"``, or a list of layers. ``sanity`` adds the
    cascading randomisation test on the same inputs and targets. ``protocol`` chooses the units
    and the correlation of the Spearman measures (``protocols.PROTOCOLS``); the references
    themselves are the caller's (``protocols.paper_references`` for ``paper``).
    """
    chosen_protocol = protocol_of(protocol)
    if target == "true" and (labels is None or any(label is None for label in labels)):
        raise ParameterError("`target` 'true' needs a label for every input; use 'predicted' or a class")
    fixed = None if target in ("true", "predicted") else adapter.label_index(target)
    for method in [*methods, *references]:
        method.check_supported(adapter)
    generator = torch.Generator().manual_seed(seed)
    values: dict[tuple[str, str, int | None], list[float | None]] = defaultdict(list)
    batches, batch_targets = [], []
    timings: dict[str, float] = {}
    compared: dict[str, int | None] = {}
    for start in range(0, len(inputs), batch_size):
        stop = min(start + batch_size, len(inputs))
        batch = adapter.encode(list(inputs[start:stop]))
        with torch.no_grad():
            probabilities = torch.softmax(adapter.forward(batch).double(), dim=-1).cpu()
        if fixed is not None:
            targets = torch.full((stop - start,), fixed, dtype=torch.long)
        else:
            targets = torch.tensor(list(labels[start:stop])) if target == "true" else probabilities.argmax(-1)
        base = probabilities.gather(1, targets.view(-1, 1)).squeeze(1).numpy()
        if sanity:
            batches.append(batch)
            batch_targets.append(targets)
        candidates = [candidate_units(batch, row) for row in range(len(batch))]
        compared_units = [chosen_protocol.units(batch, row) for row in range(len(batch))]
        reference_scores = {name: [s[-1] for s in rows]
                            for name, rows in layer_scores(references, adapter, batch, targets, seed).items()}
        all_scores = layer_scores(methods, adapter, batch, targets, seed, timings)
        all_stability = max_sensitivity(methods, adapter, batch, targets, all_scores, stability_samples, noise,
                                        generator, seed) if stability_samples else None
        for method in methods:
            per_layer = all_scores[method.name]
            stability = all_stability[method.name] if all_stability is not None else None
            chosen = list(range(1, len(per_layer[0]) + 1)) if method.layered else [None]
            if method.layered and layers:
                chosen = [layer for layer in layers if layer <= len(per_layer[0])]
            compared[method.name] = chosen[-1] if chosen else None
            for layer in chosen:
                index = (layer or 1) - 1
                scores = [s[index] for s in per_layer]
                for name, ref in reference_scores.items():
                    if name == method.name:
                        continue
                    values[(method.name, f"spearman_vs_{name}", layer)] += [
                        chosen_protocol.correlate(s[u], r[u]) for s, r, u in zip(scores, ref, compared_units)]
                values[(method.name, "gini", layer)] += [gini(s[c]) for s, c in zip(scores, candidates)]
                if stability is not None:
                    values[(method.name, "max_sensitivity", layer)] += [float(st[index]) for st in stability]
                if removal and _wanted(layer, removal_layers, chosen):
                    for row_measures in removal_measures(adapter, batch, scores, targets, base):
                        for measure, value in row_measures.items():
                            values[(method.name, measure, layer)].append(value)
        progress("evaluating", stop, len(inputs))
    summaries = [Summary(m, measure, layer, *_summarise(v), *bootstrap_interval(v, seed))
                 for (m, measure, layer), v in values.items()]
    tests = [test for measure in dict.fromkeys(key[1] for key in values) for test in paired_tests(
        measure, {m.name: values[(m.name, measure, compared[m.name])] for m in methods
                  if (m.name, measure, compared.get(m.name)) in values})]
    settings = {"target": target, "stability_samples": stability_samples, "noise": noise, "seed": seed,
                "removal_layers": removal_layers if isinstance(removal_layers, str) else list(removal_layers),
                "rank_rounding_decimals": DECIMALS, "units": "non-special units (tokens other than [CLS]/[SEP] "
                "and the like; every pixel)", "undefined": "left out of mean/std, counted in n_undefined",
                "protocol": protocol, "protocol_definition": chosen_protocol.description}
    steps = cascading_randomisation(adapter, batches, batch_targets, methods, seed, progress) if sanity else []
    if sanity:
        settings["sanity_threshold"] = THRESHOLD
    return EvaluationResult(adapter.name, len(inputs), [m.name for m in methods], [r.name for r in references],
                            settings, summaries, steps, tests, {m.name: timings[m.name] / len(inputs) for m in methods},
                            compared)
