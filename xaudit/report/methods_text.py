"""The report's Methods section: each method, measure and metric with its definition and citation.

Attribution methods and fairness criteria describe themselves (``attribution.registry``,
``fairness.metrics.PARITY``); the evaluation measures and the rules below are listed here.
"""

from __future__ import annotations

from typing import Any


def methods() -> list[dict[str, Any]]:
    """Name, definition and reference of everything the report uses, in reading order."""
    from ..attribution.registry import METHODS
    from ..fairness.metrics import PARITY

    attribution = [{"name": m.title, "definition": m.definition, "reference": m.citation} for m in METHODS.values()]
    fairness = [{"name": p.title, "definition": p.definition[0].upper() + p.definition[1:] + ".",
                 "reference": p.citation} for p in PARITY]
    return attribution + MEASURES + fairness + RULES


MEASURES = [
    {"name": "Spearman vs a reference", "definition": "Rank correlation, per example, between a method's scores "
     "and blank-out or gradient scores over the non-special tokens; values rounded before ranking so that "
     "saturated flows tie; undefined (constant) cases are counted, not averaged.",
     "reference": "Abnar & Zuidema (2020), Tables 1–2."},
    {"name": "AOPC comprehensiveness / sufficiency", "definition": "Mean over k ∈ {1, 5, 10, 20, 50}% of "
     "p_t(x) − p_t(x without its top-k units) / p_t(x) − p_t(only its top-k units).",
     "reference": "DeYoung et al. (2020), ERASER, ACL."},
    {"name": "Gini index", "definition": "Sparsity of the normalised |scores|: 0 uniform, 1 − 1/n one-hot.",
     "reference": "Hurley & Rickard (2009); Chalasani et al. (2020)."},
    {"name": "Max-sensitivity", "definition": "Largest relative change ‖a(x+δ) − a(x)‖/‖a(x)‖ over Gaussian "
     "perturbations δ of the embeddings / pixels.", "reference": "Yeh et al. (2019), On the (In)fidelity and "
     "Sensitivity of Explanations."},
]

RULES = [
    {"name": "Four-fifths rule", "definition": "A group's selection rate below 80% of the reference group's "
     "indicates adverse impact.", "reference": "US EEOC Uniform Guidelines (1978), 29 CFR 1607.4(D)."},
    {"name": "Worst-off group", "definition": "The group with the lowest value of a benefit (highest of a harm): "
     "the Rawlsian view, reported beside the gaps.", "reference": "Jørgensen & Søgaard, Rawlsian AI fairness "
     "loopholes (2022)."},
    {"name": "Cloze P@k", "definition": "Share of a group's annotation rows whose answer (NFC, stripped, "
     "casefolded, whole word) is among the model's top-k whole-word predictions for the sentence; means "
     "with population standard deviations across languages and groups.", "reference": "Cabello Piqueras & "
     "Søgaard (2022), Are Pretrained Multilingual Models Equally Fair Across Languages?, COLING."},
]

LIMITATIONS = [
    "Attributions describe how this model responds to these inputs; they are not causal claims about the world, "
    "and different methods can disagree (see the explanation-quality table before relying on one).",
    "Attention-based scores (raw, rollout, flow) reflect information mixing in the attention graph only; they "
    "ignore the feed-forward layers and value vectors.",
    "Group metrics are estimates from a finite sample: read gaps together with their intervals and tests; groups "
    "flagged too small to judge should not be used for conclusions either way.",
    "Fairness criteria can conflict: when base rates differ, statistical parity, performance parity and accuracy "
    "equality cannot all hold at once, so a clean result on one is not a clean result on all.",
    "The reference models are small models trained by xaudit for demonstration; the group-fairness datasets "
    "(UCI Adult, German credit, or the built-in synthetic credit data) are audited with predictions of a simple "
    "classifier or rule, not of a deployed system.",
    "Cloze P@k compares a model with human answers; a low P@k for a group may reflect the model, the "
    "annotators' variety of answers, or both; read it against the human baseline.",
]
