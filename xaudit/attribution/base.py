"""The attribution-method contract; the methods are listed in ``registry``.

A method describes itself in class attributes (``name``, ``title``, ``definition``,
``citation``, ``requires``, and its ``parameters`` declared as :class:`~xaudit.validation.Param`),
which the CLI, ``--help`` and the report read. ``__init__`` checks the parameters against
the declarations; subclasses implement ``_scores`` returning, per example, scores over
that example's units (``(n,)``) or per layer (``(layers, n)``), plus optional per-example
extras such as integrated gradients' convergence delta.

Modules of this package import torch and captum inside functions only, so that the
registry (and with it ``xaudit --help``) loads without them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import ModelError, ParameterError
from ..validation import Param, check_params
from .result import Attribution

if TYPE_CHECKING:
    import torch

    from ..models.base import Batch, ModelAdapter
    from ..models.summary import ModelSummary

Target = int | str | Sequence[int | str] | None


@dataclass
class RawScores:
    """What ``_scores`` returns: one array per example, extras per example, and (when it was
    asked for the predicted class) the logits of the input, ``(B, classes)``."""

    scores: list[np.ndarray]
    extras: list[dict[str, float]] = field(default_factory=list)
    logits: torch.Tensor | None = None


class AttributionMethod(ABC):
    """Base class: declared and checked parameters, requirement checks, result assembly."""

    name: ClassVar[str]
    """The key of the method on the command line and in results."""
    title: ClassVar[str]
    """Its display name."""
    definition: ClassVar[str]
    """One line, with the formula, as the report's methods section prints it."""
    citation: ClassVar[str]
    requires: ClassVar[frozenset[str]]  # {"gradients"}, {"attentions"} or nothing (forward passes only)
    parameters: ClassVar[tuple[Param, ...]] = ()
    layered: ClassVar[bool] = False
    """Scores per layer (``layer_scores``), one layer chosen for ``scores``."""
    in_defaults: ClassVar[bool] = True
    """Whether "every method the model supports" (``xaudit evaluate`` without ``--method``) includes
    it; sampling methods, hundreds of forward passes per example, are run only when named."""
    finds_prediction: ClassVar[bool] = False
    """``_scores`` accepts ``targets=None`` (explain the predicted class) and returns the input's
    logits from its own forward pass, which saves a separate prediction pass."""
    from_attentions: ClassVar[bool] = False
    """Computed from attention weights alone: ``scores_from`` lets several such methods share
    one attention pass."""
    kinds: ClassVar[frozenset[str] | None] = None
    """The model kinds (``transformer``, ``recurrent``, ``conv``, ``mlp``) it applies to; None: every kind."""
    kinds_reason: ClassVar[str] = ""
    """Why the other kinds are refused, and what to use instead (for ``why_not``)."""

    def __init__(self, **params: Any) -> None:
        self.params = check_params(self.parameters, params, f"method {self.name!r}")

    def scores_from(self, adapter: ModelAdapter, batch: Batch, attentions: torch.Tensor) -> list[np.ndarray]:
        """Per example ``(layers, units)`` from attention weights the caller computed (``from_attentions``)."""
        raise NotImplementedError(f"method {self.name!r} is not computed from attention weights alone")

    @classmethod
    def why_not(cls, model: ModelAdapter | ModelSummary) -> str | None:
        """Why the method cannot explain ``model`` (an adapter, or the summary read before loading), or None."""
        if "attentions" in cls.requires and not model.has_attentions:
            refusal = getattr(model, "attention_refusal", None)
            if refusal:
                return (f"method {cls.name!r} needs one token-to-token attention matrix per layer, but model "
                        f"{model.name!r}: {refusal}; use saliency, taylor, ig or blankout")
            return (f"method {cls.name!r} needs attention weights, but model {model.name!r} is a "
                    f"{model.kind} model without attention; use saliency, taylor, ig or blankout")
        if cls.kinds is not None and model.kind not in cls.kinds:
            return f"method {cls.name!r} does not apply to model {model.name!r}, a {model.kind} model: {cls.kinds_reason}"
        return None

    def check_supported(self, adapter: ModelAdapter | ModelSummary) -> None:
        reason = self.why_not(adapter)
        if reason is not None:
            raise ModelError(reason)

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
        import torch

        self.check_supported(adapter)
        if target is None:  # a causal LM's continuation view explains one column whatever it predicts
            target = getattr(adapter, "explained_class", None)
        positions = decision_positions(adapter, batch, self.params.get("output_index"))
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
                seed=seed, decision_position=None if positions is None else positions[row],
            ))
        return results


def decision_positions(adapter: ModelAdapter, batch: Batch, output_index: int | None = None) -> list[int] | None:
    """Per example, the token position the model decides at ([CLS], the last token of a decoder, the mask, the
    predicting position of a causal LM; ``output_index`` when given), for models with attention; else None."""
    if not adapter.has_attentions:
        return None
    return adapter.output_positions(batch) if output_index is None else [output_index] * len(batch)


def resolve_targets(adapter: ModelAdapter, target: Target, predictions: torch.Tensor) -> torch.Tensor:
    """Class index per example: the prediction, one index/label for all, or one per example."""
    import torch

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


def split_rows(values: torch.Tensor, lengths: Sequence[int]) -> list[np.ndarray]:
    """``(B, ..., n_max)`` -> one ``(..., n_b)`` array per example (padding dropped)."""
    values = values.detach().cpu().double().numpy()
    return [values[row, ..., :n] for row, n in enumerate(lengths)]
