"""Checks of a request against what a model is, made before anything loads.

Each check takes a :class:`~xaudit.models.summary.ModelSummary` (read from the model's JSON
files) or a loaded adapter, which has the same members: commands call it with the summary
first, so that a usage error comes at once, and library functions again with the adapter
(which is all there is for a hub id).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Union

from .errors import ParameterError

if TYPE_CHECKING:
    from .attribution.base import AttributionMethod
    from .models.base import ModelAdapter
    from .models.summary import ModelSummary

ModelLike = Union["ModelSummary", "ModelAdapter"]
"""What a request is checked against: the summary before loading, the adapter after."""

KEYWORD_TARGETS = ("predicted", "true")


def check_explanation(model: ModelLike | None, methods: Sequence[AttributionMethod] = (), *,
                      layer: int | None = None, target: str | None = None, **inputs: object) -> None:
    """An ``attribute`` / ``predict`` request: inputs that fit ``model``, methods it supports, a layer it
    has, a class it knows. ``model`` None (a hub id) is checked on loading instead."""
    from .inputs import check_input_options

    if model is None:
        return
    check_input_options(model.modality, **inputs)
    check_methods(model, methods, layer)
    check_target(model, target)


def check_methods(model: ModelLike, methods: Sequence[AttributionMethod], layer: int | None = None) -> None:
    """Every method can run on ``model``, and ``layer`` is one of its attention layers."""
    from .attribution.base import check_layer

    for method in methods:
        method.check_supported(model)
    if layer is not None and any("attentions" in m.requires for m in methods):
        check_layer(layer, model.attention_layers)


def check_target(model: ModelLike, target: str | None) -> None:
    """``target`` is a keyword, or a class of ``model`` (a masked LM's vocabulary is checked on loading)."""
    from .models.summary import label_index

    if target is not None and target not in KEYWORD_TARGETS and model.labels:
        label_index(model.labels, target, model.name)


def check_layers(model: ModelLike, layers: Sequence[int]) -> None:
    """Each of ``layers`` is an attention layer of ``model``."""
    deepest = max(layers, default=0)
    if deepest > model.attention_layers:
        raise ParameterError(f"The 'layers' parameter must be ints >= 1 and <= {model.attention_layers} for "
                             f"model {model.name!r}. Got {deepest} instead.")


def check_evaluation(model: ModelLike, *, layers: Sequence[int], paper_tables: bool,
                     input_file: Path | None) -> None:
    """What ``evaluate_model`` needs of ``model`` beyond the methods it supports."""
    check_layers(model, layers)
    if paper_tables and not model.has_attentions:
        raise ParameterError(f"`markdown` writes Abnar & Zuidema's tables: it needs a transformer, and "
                             f"{model.name!r} is a {model.kind} model")
    if input_file is not None and model.modality != "text":
        raise ParameterError("`input_file` holds texts; for image models evaluate uses the digits test split")
