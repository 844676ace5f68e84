"""Run several attribution methods over many inputs in batches (used by the CLI and reports)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ParameterError
from ..progress import ProgressFn, silent
from ..schema import JsonResult, check_envelope, envelope
from .base import AttributionMethod, Target
from .result import Attribution

if TYPE_CHECKING:
    from ..models.base import ModelAdapter


@dataclass
class Explanation(JsonResult):
    """Every method's attribution of one input, plus its prediction (one item of ``xaudit attribute``'s JSON)."""

    kind = "explanation"

    input_id: str
    input: object
    attributions: dict[str, Attribution]
    truncated_tokens: int = 0
    true_label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def first(self) -> Attribution:
        return next(iter(self.attributions.values()))

    def to_dict(self) -> dict[str, Any]:
        first = self.first
        unit_key = "tokens" if first.image_shape is None else "units"
        return envelope(self.kind) | {
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
            "special": first.special,
            "words": first.words,
            "word_texts": first.word_texts,
            "truncated_tokens": self.truncated_tokens,
            "seed": first.seed,
            "decision_position": {name: a.decision_position for name, a in self.attributions.items()},
            "version": first.version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        data = check_envelope(data, cls.kind)
        units = data["tokens"] if "tokens" in data else data["units"]
        prediction, target = data["prediction"], data["target"]
        shape = None if data.get("image_shape") is None else tuple(data["image_shape"])
        attributions = {}
        for name, scores in data["scores"].items():
            layers = data["layer_scores"].get(name)
            attributions[name] = Attribution(
                units=list(units), scores=np.asarray(scores, dtype=np.float64), method=name, model=data["model"],
                target=target["index"], target_label=target["label"], prediction=prediction["index"],
                prediction_label=prediction["label"], probability=prediction["probability"],
                target_probability=target["probability"], params=dict(data["params"].get(name, {})),
                layer=data["layer"].get(name), layer_scores=None if layers is None else np.asarray(layers, float),
                extras=dict(data["extras"].get(name, {})), special=list(data["special"]), words=list(data["words"]),
                word_texts=list(data["word_texts"]), image_shape=shape, input_id=data["id"],
                text=data["input"] if shape is None else None, seed=data["seed"], version=data["version"],
                decision_position=(data.get("decision_position") or {}).get(name))
        return cls(data["id"], data["input"], attributions, data["truncated_tokens"], data["true_label"])


@dataclass
class Explanations(JsonResult):
    """What ``xaudit attribute`` writes: the model and one :class:`Explanation` per input."""

    kind = "explanations"

    model: str
    examples: list[Explanation]

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {"model": self.model, "examples": [e.to_dict() for e in self.examples]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanations:
        data = check_envelope(data, cls.kind)
        return cls(data["model"], [Explanation.from_dict(item) for item in data["examples"]])

    def to_frame(self):
        """One row per unit, method and input (``kind`` attribution, with the model)."""
        import pandas as pd

        return pd.concat([a.to_frame() for e in self.examples for a in e.attributions.values()], ignore_index=True)


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
    A per-example ``target`` sequence is split along with the inputs; ``"predicted"`` is the
    prediction (as None) and ``"true"`` each input's label in ``true_labels``. Texts are batched
    in order of length, so a batch pads little; results come back in the order of ``inputs``.
    """
    target = true_targets(target, true_labels, len(inputs))
    for method in methods:
        method.check_supported(adapter)
    ids = list(ids) if ids is not None else [str(i) for i in range(len(inputs))]
    per_example_targets = target is not None and not isinstance(target, (int, str))
    order = sorted(range(len(inputs)), key=lambda i: _length_hint(inputs[i]))
    results: list[Explanation | None] = [None] * len(inputs)
    for start in range(0, len(inputs), batch_size):
        chunk = order[start:start + batch_size]
        batch = adapter.encode([inputs[i] for i in chunk])
        chunk_target = [target[i] for i in chunk] if per_example_targets else target  # type: ignore[index]
        by_method = {m.name: m.attribute(adapter, batch, target=chunk_target, layer=layer, seed=seed)
                     for m in methods}
        for row, index in enumerate(chunk):
            attributions = {}
            for name, rows in by_method.items():
                attribution = rows[row]
                attribution = attribution.to_words() if words else attribution
                attributions[name] = _with_id(attribution, ids[index])
            truth = None if true_labels is None or true_labels[index] is None \
                else adapter.labels[true_labels[index]]
            results[index] = Explanation(ids[index], inputs[index], attributions,
                                         batch.truncated[row] if batch.truncated else 0, truth)
        progress("explaining", start + len(chunk), len(inputs))
    return results  # type: ignore[return-value]


def true_targets(target: Target, true_labels: Sequence[int | None] | None, n: int) -> Target:
    """``target`` with the keywords resolved: ``"predicted"`` -> None, ``"true"`` -> the labels."""
    if target == "predicted":
        return None
    if target != "true":
        return target
    if true_labels is None or len(true_labels) != n or any(label is None for label in true_labels):
        raise ParameterError("`target` 'true' needs a label for every input (inputs from a labelled test split "
                             "carry one); give a class, or 'predicted'")
    return list(true_labels)


def _length_hint(item: object) -> int:
    """Characters of a text (images all share one length)."""
    return len(item) if isinstance(item, str) else 0


def _with_id(attribution: Attribution, input_id: str) -> Attribution:
    from dataclasses import replace

    return replace(attribution, input_id=input_id)
