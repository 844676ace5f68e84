"""What each explanation-quality measure is: its label, direction, definition and citation.

The one description of the measures that ``evaluate`` computes (see ``runner.py``); the
terminal tables, the report's quality table and its Methods section read it.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEARMAN_PREFIX = "spearman_vs_"


@dataclass(frozen=True)
class Measure:
    """One measure of how far to trust an explanation; ``key`` as in ``EvaluationResult``."""

    key: str
    label: str
    title: str
    higher_is_better: bool
    meaning: str
    definition: str
    citation: str

    @property
    def direction(self) -> str:
        """E.g. ``"lower: more faithful"``."""
        return f"{'higher' if self.higher_is_better else 'lower'}: {self.meaning}"

    @property
    def column(self) -> str:
        """The label with an arrow for the better direction, for table headers."""
        return f"{self.label} {'↑' if self.higher_is_better else '↓'}"


SPEARMAN = Measure(
    SPEARMAN_PREFIX, "ρ vs", "Spearman vs a reference", True, "more agreement",
    "Rank correlation, per example, between a method's scores and blank-out or gradient scores over the "
    "non-special tokens; values rounded before ranking so that saturated flows tie; undefined (constant) cases "
    "are counted, not averaged.", "Abnar & Zuidema (2020), Tables 1–2.")

MEASURES: dict[str, Measure] = {m.key: m for m in (
    SPEARMAN,
    Measure("aopc_comprehensiveness", "AOPC comprehensiveness", "AOPC comprehensiveness", True, "more faithful",
            "Mean over k ∈ {1, 5, 10, 20, 50}% of p_t(x) − p_t(x without its top-k units).",
            "DeYoung et al. (2020), ERASER, ACL."),
    Measure("aopc_sufficiency", "AOPC sufficiency", "AOPC sufficiency", False, "more faithful",
            "Mean over k ∈ {1, 5, 10, 20, 50}% of p_t(x) − p_t(only its top-k units).",
            "DeYoung et al. (2020), ERASER, ACL."),
    Measure("deletion_auc", "deletion AUC", "Deletion AUC", False, "more faithful",
            "Area under p_t after removing the top q of the units, q = 0, 0.1, …, 1 (trapezoid rule).",
            "Petsiuk et al. (2018), RISE, BMVC."),
    Measure("gini", "Gini (sparsity)", "Gini index", True, "sparser",
            "Sparsity of the normalised |scores|: 0 uniform, 1 − 1/n one-hot.",
            "Hurley & Rickard (2009); Chalasani et al. (2020)."),
    Measure("max_sensitivity", "max-sensitivity", "Max-sensitivity", False, "more stable",
            "Largest relative change ‖a(x+δ) − a(x)‖/‖a(x)‖ over Gaussian perturbations δ of the embeddings / "
            "pixels.", "Yeh et al. (2019), On the (In)fidelity and Sensitivity of Explanations."),
)}


def measure_of(key: str) -> Measure:
    """The measure behind a result key (``spearman_vs_blankout`` is the Spearman measure)."""
    return SPEARMAN if key.startswith(SPEARMAN_PREFIX) else MEASURES[key]


def column_of(key: str) -> str:
    """A table header for a result key: ``ρ vs blankout ↑``, ``deletion AUC ↓``."""
    if key.startswith(SPEARMAN_PREFIX):
        return f"{SPEARMAN.label} {key[len(SPEARMAN_PREFIX):]} ↑"
    return MEASURES[key].column


def ordered(keys: list[str]) -> list[str]:
    """Result keys in the order of ``MEASURES`` (Spearman first), unknown keys last."""
    order = list(MEASURES)
    return sorted(keys, key=lambda k: (order.index(measure_of(k).key) if k.startswith(SPEARMAN_PREFIX)
                                       or k in MEASURES else len(order), k))
