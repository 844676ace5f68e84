"""Run several attribution methods over many inputs in batches (used by the CLI and reports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models.base import ModelAdapter
from ..progress import ProgressFn, silent
from .base import AttributionMethod, Target
from .result import SCHEMA_VERSION, Attribution


@dataclass
class Explanation:
    """Every method's attribution of one input, plus its prediction."""

    input_id: str
    input: object
    attributions: dict[str, Attribution]
    truncated_tokens: int = 0
    true_label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def first(self) -> Attribution:
        return next(iter(self.attributions.values()))

    def to_json(self) -> dict[str, Any]:
        first = self.first
        unit_key = "tokens" if first.image_shape is None else "units"
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.input_id,
            "input": self.input if isinstance(self.input, str) else self.input_id,
            "model": first.model,
            "prediction": {"label": first.prediction_label, "index": first.prediction,
                           "probability": first.probability},
            "target": {"label": first.target_label, "index": first.target,
                       "probability": first.target_probability},
            "true_label": self.true_label,
            unit_key: first.units,
            "image_shape": None if first.image_shape is None else list(first.image_shape),
            "scores": {name: a.scores.tolist() for name, a in self.attributions.items()},
            "layer": {name: a.layer for name, a in self.attributions.items() if a.layer is not None},
            "layer_scores": {name: a.layer_scores.tolist() for name, a in self.attributions.items()
                             if a.layer_scores is not None},
            "params": {name: a.params for name, a in self.attributions.items()},
            "extras": {name: a.extras for name, a in self.attributions.items() if a.extras},
            "truncated_tokens": self.truncated_tokens,
            "seed": first.seed,
            "version": first.version,
        }


def explain(
    adapter: ModelAdapter,
    inputs: Sequence[object],
    methods: Sequence[AttributionMethod],
    *,
    ids: Sequence[str] | None = None,
    true_labels: Sequence[int | None] | None = None,
    target: Target = None,
    layer: int | None = None,
    words: bool = True,
    batch_size: int = 32,
    seed: int | None = 0,
    progress: ProgressFn = silent,
) -> list[Explanation]:
    """Explanations of ``inputs`` by every method, computed ``batch_size`` inputs at a time.

    ``words`` sums subword scores into words (text models; special tokens dropped).
    A per-example ``target`` sequence is split along with the inputs.
    """
    for method in methods:
        method.check_supported(adapter)
    ids = list(ids) if ids is not None else [str(i) for i in range(len(inputs))]
    per_example_targets = target is not None and not isinstance(target, (int, str))
    results: list[Explanation] = []
    for start in range(0, len(inputs), batch_size):
        stop = min(start + batch_size, len(inputs))
        batch = adapter.encode(list(inputs[start:stop]))
        chunk_target = list(target[start:stop]) if per_example_targets else target  # type: ignore[index]
        by_method = {m.name: m.attribute(adapter, batch, target=chunk_target, layer=layer, seed=seed)
                     for m in methods}
        for row in range(stop - start):
            attributions = {}
            for name, rows in by_method.items():
                attribution = rows[row]
                attribution = attribution.to_words() if words else attribution
                attributions[name] = _with_id(attribution, ids[start + row])
            truth = None if true_labels is None or true_labels[start + row] is None \
                else adapter.labels[true_labels[start + row]]
            results.append(Explanation(ids[start + row], inputs[start + row], attributions,
                                       batch.truncated[row] if batch.truncated else 0, truth))
        progress("explaining", stop, len(inputs))
    return results


def _with_id(attribution: Attribution, input_id: str) -> Attribution:
    from dataclasses import replace

    return replace(attribution, input_id=input_id)
