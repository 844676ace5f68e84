"""The attribution-method contract and the registry of methods (shared/DESIGN.md §3).

A method stores its parameters in ``__init__`` and does its work in ``attribute``;
subclasses implement ``_scores`` returning, per example, scores over that example's units
(``(n,)``) or per layer (``(layers, n)``), plus optional per-example extras such as
integrated gradients' convergence delta.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch

from ..errors import ModelError, ParameterError, unknown_choice
from ..models.base import Batch, ModelAdapter
from .result import Attribution

Target = int | str | Sequence[int | str] | None


@dataclass
class RawScores:
    """What ``_scores`` returns: one array per example, extras per example, and (when it was
    asked for the predicted class) the logits of the input, ``(B, classes)``."""

    scores: list[np.ndarray]
    extras: list[dict[str, float]] = field(default_factory=list)
    logits: torch.Tensor | None = None


class AttributionMethod(ABC):
    """Base class: validated parameters, requirement checks, result assembly."""

    name: ClassVar[str]
    requires: ClassVar[frozenset[str]]  # {"gradients"} or {"attentions"}
    layered: ClassVar[bool] = False
    summary: ClassVar[str] = ""
    # True when ``_scores`` accepts ``targets=None`` (explain the predicted class) and returns
    # the input's logits from its own forward pass, which saves a separate prediction pass.
    finds_prediction: ClassVar[bool] = False

    def __init__(self, **params: Any) -> None:
        self.params = params

    def check_supported(self, adapter: ModelAdapter) -> None:
        if "attentions" in self.requires and not adapter.has_attentions:
            raise ModelError(
                f"method {self.name!r} needs attention weights, but model {adapter.name!r} is a "
                f"{adapter.kind} model without attention; use saliency, taylor, ig or blankout"
            )

    @abstractmethod
    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor | None) -> RawScores: ...

    def attribute(
        self,
        adapter: ModelAdapter,
        batch: Batch,
        target: Target = None,
        layer: int | None = None,
        seed: int | None = 0,
    ) -> list[Attribution]:
        """Attributions of every example in ``batch`` for ``target`` (default: the prediction)."""
        self.check_supported(adapter)
        with torch.random.fork_rng(devices=[]):  # seed our work without resetting the caller's generator
            if seed is not None:
                torch.manual_seed(seed)
            if target is None and self.finds_prediction:
                raw = self._scores(adapter, batch, None)
                logits = raw.logits
            else:
                with torch.no_grad():
                    logits = adapter.forward(batch)
                predicted = logits.argmax(dim=-1).cpu()
                raw = self._scores(adapter, batch, resolve_targets(adapter, target, predicted).to(adapter.device))
        probabilities = torch.softmax(logits.detach().double(), dim=-1).cpu()
        predictions = probabilities.argmax(dim=-1)
        targets = resolve_targets(adapter, target, predictions)
        params = dict(self.params)
        if "baseline" in params:  # record the baseline used, not None for "the default"
            params["baseline"] = adapter.baseline_kind(params["baseline"])
        results = []
        for row in range(len(batch)):
            scores = np.asarray(raw.scores[row], dtype=np.float64)
            chosen_layer, layer_scores = None, None
            if self.layered:
                layer_scores = scores
                chosen_layer = check_layer(layer, len(layer_scores))
                scores = layer_scores[chosen_layer - 1]
            t, p = int(targets[row]), int(predictions[row])
            results.append(Attribution(
                units=list(batch.units[row]), scores=scores, method=self.name, model=adapter.name,
                target=t, target_label=adapter.labels[t], prediction=p, prediction_label=adapter.labels[p],
                probability=float(probabilities[row, p]), target_probability=float(probabilities[row, t]),
                params=dict(params), layer=chosen_layer, layer_scores=layer_scores,
                extras=raw.extras[row] if raw.extras else {},
                special=list(batch.special[row]) if batch.special else [],
                words=list(batch.words[row]) if batch.words else [],
                word_texts=list(batch.word_texts[row]) if batch.word_texts else [],
                image_shape=batch.image_shape,
                input_id=str(row), text=batch.sources[row] if isinstance(batch.sources[row], str) else None,
                seed=seed,
            ))
        return results


def resolve_targets(adapter: ModelAdapter, target: Target, predictions: torch.Tensor) -> torch.Tensor:
    """Class index per example: the prediction, one index/label for all, or one per example."""
    if target is None:
        return predictions.clone()
    if isinstance(target, (int, str)):
        return torch.full_like(predictions, adapter.label_index(target))
    targets = list(target)
    if len(targets) != len(predictions):
        raise ParameterError(f"got {len(targets)} targets for {len(predictions)} examples")
    return torch.tensor([adapter.label_index(t) for t in targets], dtype=torch.long)


def check_layer(layer: int | None, layers: int) -> int:
    """1-based layer, default the last."""
    if layer is None:
        return layers
    if not 1 <= layer <= layers:
        raise ParameterError(f"The 'layer' parameter must be an int >= 1 and <= {layers}. Got {layer!r} instead.")
    return layer


METHODS: dict[str, type[AttributionMethod]] = {}


def register(method: type[AttributionMethod]) -> type[AttributionMethod]:
    METHODS[method.name] = method
    return method


def get_method(name: str, **params: Any) -> AttributionMethod:
    """An instance of the registered method ``name`` with ``params``."""
    from . import methods  # noqa: F401  (fills the registry)

    if name not in METHODS:
        raise unknown_choice("method", name, METHODS)
    return METHODS[name](**params)


def split_rows(values: torch.Tensor, lengths: Sequence[int]) -> list[np.ndarray]:
    """``(B, ..., n_max)`` -> one ``(..., n_b)`` array per example (padding dropped)."""
    values = values.detach().cpu().double().numpy()
    return [values[row, ..., :n] for row, n in enumerate(lengths)]
