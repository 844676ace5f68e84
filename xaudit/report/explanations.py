"""The explanations section: example attributions, per-head attention, most influential tokens, explanation
quality with the cascading randomisation sanity check (Adebayo et al. 2018)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import numpy as np
import torch

from ..attribution.base import AttributionMethod
from ..attribution.registry import get_method
from ..errors import ModelError
from ..attribution.explain import Explanation, explain
from ..evaluation.runner import EvaluationResult, evaluate
from ..evaluation.sanity import THRESHOLD, cascading_randomisation
from ..models.base import ModelAdapter
from ..progress import ProgressFn, silent
from .document import ExplanationSection, HeadAttention, InfluentialToken

TOP_TOKENS = 10
MIN_COUNT = 2
SANITY_EXAMPLES = 16
"""The sanity check re-explains this many of the evaluation examples once per randomised layer."""


def default_methods(adapter: ModelAdapter) -> list[str]:
    if adapter.has_attentions:
        return ["saliency", "ig", "rollout", "flow"]
    return ["saliency", "ig", "blankout"]


def supported_methods(adapter: ModelAdapter, names: list[str]) -> tuple[list[AttributionMethod], dict[str, str]]:
    """The methods among ``names`` that ``adapter`` supports, and the others with the reason."""
    methods, skipped = [], {}
    for name in dict.fromkeys(names):
        method = get_method(name)
        try:
            method.check_supported(adapter)
        except ModelError as exc:
            skipped[name] = str(exc)
        else:
            methods.append(method)
    return methods, skipped


def influential_tokens(explanations: list[Explanation]) -> dict[str, list[InfluentialToken]]:
    """Per method: tokens ranked by their mean example-normalised score (text only)."""
    table: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for explanation in explanations:
        for name, attribution in explanation.attributions.items():
            peak = float(np.abs(attribution.scores).max())
            if peak == 0:
                continue
            for unit, score in zip(attribution.units, attribution.scores):
                table[name][unit.casefold()].append(float(score) / peak)
    ranked = {}
    for name, tokens in table.items():
        rows = [InfluentialToken(t, float(np.mean(v)), len(v)) for t, v in tokens.items() if len(v) >= MIN_COUNT]
        ranked[name] = sorted(rows, key=lambda r: (-r.mean, r.token))[:TOP_TOKENS]
    return ranked


def head_attention(adapter: ModelAdapter, text: str) -> HeadAttention:
    """Every head's attention from the decision position of ``text`` over its tokens (layers × heads × tokens)."""
    batch = adapter.encode([text])
    with torch.no_grad():
        attentions = adapter.attentions(batch)  # (layers, 1, heads, n, n)
    position = adapter.output_positions(batch)[0]
    n = len(batch.units[0])
    weights = attentions[:, 0, :, position, :n].double().cpu().numpy()
    return HeadAttention(list(batch.units[0]), position, np.round(weights, 4).tolist())


def with_sanity(quality: EvaluationResult, adapter: ModelAdapter, methods: list[AttributionMethod],
                inputs: list[object], labels: list[int], seed: int, progress: ProgressFn) -> EvaluationResult:
    """``quality`` with the cascading randomisation test of ``methods`` on the first inputs, explaining
    their true labels."""
    batch = adapter.encode(inputs[:SANITY_EXAMPLES])
    targets = torch.tensor(labels[:SANITY_EXAMPLES])
    steps = cascading_randomisation(adapter, [batch], [targets], methods, seed, progress)
    settings = quality.settings | {"sanity_threshold": THRESHOLD, "sanity_examples": len(batch)}
    return dataclasses.replace(quality, sanity=steps, settings=settings)


def section(
    adapter: ModelAdapter,
    description: str,
    inputs: list[object],
    ids: list[str],
    true_labels: list[int | None],
    method_names: list[str],
    evaluation_inputs: list[object],
    evaluation_labels: list[int],
    seed: int,
    progress: ProgressFn = silent,
) -> ExplanationSection:
    """Explain ``inputs`` with the methods the model supports (the others are listed as skipped, with
    the reason); evaluate them on the labelled evaluation inputs."""
    methods, skipped = supported_methods(adapter, method_names)
    explanations = explain(adapter, inputs, methods, ids=ids, true_labels=true_labels, seed=seed,
                           progress=progress) if methods else []
    quality = None
    if evaluation_inputs and methods:
        layered = [m for m in methods if m.layered]
        last = adapter.attention_layers if layered else None
        references = [get_method("blankout"), get_method("saliency")]
        quality = evaluate(adapter, evaluation_inputs, evaluation_labels, methods, references,
                           layers=[last] if last else None, stability_samples=2, seed=seed, progress=progress)
        quality = with_sanity(quality, adapter, methods, evaluation_inputs, evaluation_labels, seed, progress)
    heads = head_attention(adapter, inputs[0]) if inputs and adapter.has_attentions and \
        adapter.modality == "text" else None
    return ExplanationSection(
        adapter.name, description, [m.name for m in methods], explanations,
        influential_tokens(explanations) if adapter.modality == "text" else {}, TOP_TOKENS, MIN_COUNT, quality,
        f"{len(evaluation_inputs)} held-out examples, explaining the true label; layered methods at the last layer. "
        "ρ: Spearman with blank-out / gradient scores (higher: the method ranks units as those references do). "
        "AOPC comprehensiveness: probability drop when the top units are removed (higher is better); sufficiency "
        "and deletion AUC: lower is better. Gini: sparsity. Max-sensitivity: change under small input noise "
        f"(lower: more stable). Sanity: the cascading randomisation test (Adebayo et al. 2018) on the first "
        f"{SANITY_EXAMPLES} of them: Spearman between the method's |scores| on the trained model and on the model "
        f"with every layer re-initialised, with its 95% interval; a method passes when it is below {THRESHOLD} "
        "(its explanation depends on what the model learned).", skipped, heads)
