"""xaudit: explainability and fairness audits for trained neural networks.

Models
    load_model(spec)             adapter for a reference name (see ``xaudit models``), folder or hub id
Attributions
    explain(adapter, inputs, methods)   token/pixel scores of every method, as Explanation objects
    Explainer(model, methods)    picklable explainer for batch engines (Ray Data's map_batches)
    read_explanations(paths)     Explanations from JSON Lines an Explainer or ``--format jsonl`` wrote
    get_method(name, **params)   one attribution method (METHODS lists them)
    attention_rollout(attn)      attention rollout (Abnar & Zuidema 2020)
    attention_flow(attn)         max-flow attention flow (Abnar & Zuidema 2020)
Explanation quality
    evaluate_model(model, methods=...)  faithfulness, sparsity and stability of the methods
Fairness
    group_fairness(counts)       statistical parity, performance parity, accuracy equality (FairnessResult)
    GroupCounts                  per-group confusion counts, the input of group_fairness
    run_cloze(model=...)         per-demographic cloze P@k on MozArt (ClozeResult)

Every result has ``to_dict`` / ``from_dict`` / ``to_json`` / ``to_frame``. Members load on
first use, so ``import xaudit`` stays cheap.
"""

from __future__ import annotations

from ._lazy import lazy_members
from ._version import __version__

_HOMES = {
    "load_model": ".models.loading",
    "explain": ".attribution.explain", "Explanation": ".attribution.explain", "Attribution": ".attribution.result",
    "Explainer": ".attribution.explainer", "read_explanations": ".attribution.explainer",
    "get_method": ".attribution.registry", "METHODS": ".attribution.registry",
    "attention_flow": ".attribution.flow", "attention_rollout": ".attribution.rollout",
    "evaluate_model": ".evaluation.session", "EvaluationResult": ".evaluation.runner",
    "group_fairness": ".fairness.audit", "GroupCounts": ".fairness.counts", "FairnessResult": ".fairness.result",
    "run_cloze": ".cloze.audit", "ClozeResult": ".cloze.tables",
}
__all__ = ["__version__", *sorted(_HOMES)]
__getattr__, _dir = lazy_members(__name__, _HOMES)


def __dir__() -> list[str]:
    return ["__version__", *_dir()]
