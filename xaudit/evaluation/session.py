"""Evaluate a model by name: load it, pick its data and methods, run :func:`~xaudit.evaluation.runner.evaluate`.

What ``xaudit evaluate`` and the Python API share; parameters are checked before the
model loads.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError
from ..progress import ProgressFn, silent
from ..validation import check_float, check_int

if TYPE_CHECKING:
    from .runner import EvaluationResult

PAPER_METHODS = {"attention", "rollout", "flow"}


def parse_layers(name: str, value: str | None) -> list[int]:
    """``"1,2,6"`` -> ``[1, 2, 6]``; ParameterError naming ``name`` otherwise."""
    from ..validation import split_csv

    parts = split_csv(value)
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise ParameterError(f"The {name!r} parameter must be comma-separated ints >= 1. Got {value!r} instead.")
    return [int(part) for part in parts]


def evaluate_model(
    model: str,
    *,
    methods: Sequence[str] = (),
    against: Sequence[str] = ("blankout", "saliency"),
    n: int = 200,
    layers: Sequence[int] = (),
    target: str = "true",
    input_file: Path | None = None,
    data_dir: Path | None = None,
    stability_samples: int = 3,
    noise: float = 0.05,
    removal: bool = True,
    removal_layers: str | Sequence[int] = "last",
    batch_size: int = 64,
    seed: int = 0,
    sanity: bool = False,
    paper_tables: bool = False,
    protocol: str = "xaudit",
    method_params: Mapping[str, Any] | None = None,
    given_params: Collection[str] = (),
    allow_pickle: bool = False,
    device: str = "cpu",
    progress: ProgressFn = silent,
) -> tuple[EvaluationResult, dict[str, Any]]:
    """The evaluation of ``model`` (with ``paper_tables``, and its degeneracy diagnostics on the same data) (default methods: every one it supports but the sampling ones; ``["all"]``:
    every one it supports) and its model card.

    Data: ``input_file`` (JSON Lines with ``text`` and ``label``), else the reference model's
    held-out split, read from ``data_dir`` where the model's card says so. ``protocol``:
    ``xaudit`` or ``paper`` (Abnar & Zuidema's definitions of the references and the rank
    correlation; ``evaluation.protocols``). ``method_params`` set the evaluated methods' parameters
    (``n_steps``, ``noise_samples``, ...; the references keep their defaults); ``given_params``
    names those the user set on purpose, refused when none of the methods takes them.
    """
    from ..attribution.registry import build_methods, supported
    from ..checks import check_evaluation, check_methods, check_target
    from ..models.summary import summarize

    check_int("n", n, minimum=1)
    check_int("stability_samples", stability_samples, minimum=0)
    check_float("noise", noise, minimum=0.0)
    everything = list(methods) == ["all"]
    if paper_tables and methods and not everything and not PAPER_METHODS & set(methods):
        raise ParameterError("`markdown` writes Abnar & Zuidema's tables: it needs the methods attention, rollout "
                             "and/or flow")
    from .protocols import paper_references, protocol_of

    protocol_of(protocol)
    chosen_refs = paper_references(list(against)) if protocol == "paper" else build_methods(list(against), {})
    params = dict(method_params or {})
    requested = build_methods(list(methods), params, given_params) if methods and not everything else []
    removal_list = [] if isinstance(removal_layers, str) else list(removal_layers)
    summary = summarize(model)
    if summary is not None:  # checked before loading; a hub id only after
        check_methods(summary, [*requested, *chosen_refs])
        check_target(summary, target)
        check_evaluation(summary, layers=[*layers, *removal_list], paper_tables=paper_tables, input_file=input_file)
    from ..datasets.reference import held_out_examples  # torch from here on: after the checks
    from ..inputs import read_labelled_texts
    from ..models import load_model
    from ..models.registry import card_of
    from .runner import evaluate

    adapter = load_model(model, allow_pickle=allow_pickle, device=device)
    check_evaluation(adapter, layers=[*layers, *removal_list], paper_tables=paper_tables, input_file=input_file)
    chosen = requested or build_methods(supported(adapter, defaults_only=not everything), params, given_params)
    card = card_of(model)
    if input_file is not None:
        items, labels = read_labelled_texts(input_file, adapter.labels)
        items, labels, data = items[:n], labels[:n], f"{input_file.name}, {min(n, len(items))} examples"
    else:
        split = held_out_examples(card, n, vocabulary=adapter.labels, data_dir=data_dir)
        items, labels, data = split.inputs, split.labels, split.description
    attractors = None if input_file is not None else split.attractors
    result = evaluate(adapter, items, labels, chosen, chosen_refs, layers=list(layers) or None, target=target,
                      batch_size=batch_size, stability_samples=stability_samples, noise=noise, removal=removal,
                      removal_layers=removal_layers, seed=seed, sanity=sanity, protocol=protocol,
                      progress=progress)
    result.settings["data"] = data
    result.settings["method_parameters"] = {method.name: {k: v for k, v in method.params.items() if v is not None}
                                            for method in chosen if any(v is not None for v in method.params.values())}
    if paper_tables:
        from .diagnostics import degeneracy

        result.diagnostics = degeneracy(adapter, items, labels, attractors, batch_size).to_dict()
    return result, card
