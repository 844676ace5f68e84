"""Rates from confusion counts, and the gaps between groups.

Every function works on arrays whose last axis is the group (for counts: group, then
cell), so one call computes the point estimate and all bootstrap resamples at once. A rate
whose denominator is zero (e.g. the TPR of a group without positives) is NaN, reported as
undefined: never 0.

Definitions follow Verma & Rubin (2018), "Fairness Definitions Explained" (FairWare), and
equal fairlearn's where fairlearn has the same quantity (``selection_rate``,
``true_positive_rate``, ``false_positive_rate``, ``accuracy_score``; ``MetricFrame``'s
``difference()`` / ``ratio()`` between groups; ``equalized_odds_difference`` / ``_ratio``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .counts import CELLS


@dataclass(frozen=True)
class Rate:
    """A proportion of confusion counts: sum of ``numerator`` cells / sum of ``denominator`` cells."""

    name: str
    title: str
    """Display name (lower case, as in a sentence)."""
    label: str
    """Short name for table columns."""
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    definition: str
    direction: str
    """What a higher value means for the group (ŷ=1 is the favourable decision, y=1 the favourable label)."""


RATES: dict[str, Rate] = {rate.name: rate for rate in (
    Rate("base_rate", "base rate", "base rate", ("fn", "tp"), CELLS, "P(y=1 | g), the prevalence of the favourable label",
         "higher: more of the group has the favourable label (the data, not the model)"),
    Rate("selection_rate", "selection rate", "selection rate", ("fp", "tp"), CELLS,
         "P(ŷ=1 | g); fairlearn.metrics.selection_rate", "higher: more favourable decisions for the group"),
    Rate("tpr", "true positive rate", "TPR", ("tp",), ("fn", "tp"),
         "P(ŷ=1 | y=1, g), recall; fairlearn.metrics.true_positive_rate",
         "higher: more of the group's y=1 rows get the favourable decision"),
    Rate("fpr", "false positive rate", "FPR", ("fp",), ("tn", "fp"),
         "P(ŷ=1 | y=0, g); fairlearn.metrics.false_positive_rate",
         "higher: more of the group's y=0 rows get the favourable decision (an error that benefits the group)"),
    Rate("accuracy", "accuracy", "accuracy", ("tn", "tp"), CELLS, "P(ŷ=y | g); sklearn.metrics.accuracy_score",
         "higher: fewer errors on the group"),
    Rate("ppv", "precision (PPV)", "PPV", ("tp",), ("fp", "tp"), "P(y=1 | ŷ=1, g), precision",
         "higher: more of the group's favourable decisions go to y=1 rows"),
)}


@dataclass(frozen=True)
class ParityMeasure:
    """A fairness criterion: ``rate`` should be equal across groups."""

    key: str
    title: str
    rate: str
    higher_is_better: bool
    """A higher rate favours the group (ŷ=1 is the favourable decision): the worst-off group has the lowest."""
    definition: str
    citation: str
    four_fifths: str | None = None
    """Why the four-fifths rule is not applied to this rate; None where it is."""


PARITY: tuple[ParityMeasure, ...] = (
    ParityMeasure("statistical_parity", "Statistical parity", "selection_rate", True,
                  "equal P(ŷ=1 | g): statistical (demographic) parity, Verma & Rubin 2018",
                  "Verma & Rubin (2018), Fairness Definitions Explained; NYC Local Law 144 bias audits (impact "
                  "ratio)."),
    ParityMeasure("performance_parity", "Performance parity (equal opportunity)", "tpr", True,
                  "equal P(ŷ=1 | y=1, g): equal opportunity, Hardt, Price & Srebro 2016",
                  "Hardt, Price & Srebro (2016), Equality of Opportunity in Supervised Learning."),
    ParityMeasure("predictive_equality", "Predictive equality", "fpr", True,
                  "equal P(ŷ=1 | y=0, g): false positive error rate balance, Verma & Rubin 2018; "
                  "with equal TPR this is equalized odds, Hardt et al. 2016",
                  "Verma & Rubin (2018); Hardt, Price & Srebro (2016) for equalized odds.",
                  four_fifths="the four-fifths rule (29 CFR 1607.4(D)) judges rates of deserved "
                  "selection; a low FPR is fewer undeserved favourable decisions, judged by its test and interval"),
    ParityMeasure("accuracy_equality", "Accuracy equality", "accuracy", True,
                  "equal P(ŷ=y | g): overall accuracy equality, Verma & Rubin 2018",
                  "Verma & Rubin (2018), Fairness Definitions Explained."),
)
"""The criteria reported. ŷ=1 is the favourable decision, so a higher selection rate, TPR or FPR
gives the group more favourable decisions and a higher accuracy fewer errors: for every criterion
the worst-off group is the one with the lowest rate (the FPR's highest group is the one that
benefits). Four-fifths flags apply where ``four_fifths`` is None."""


def divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Elementwise ratio, NaN where the denominator is 0."""
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, float), np.asarray(denominator, float))
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def proportion(cells: np.ndarray, rate: Rate) -> tuple[np.ndarray, np.ndarray]:
    """(successes, trials) of ``rate`` from counts shaped (..., 4)."""
    numerator = cells[..., [CELLS.index(c) for c in rate.numerator]].sum(axis=-1)
    denominator = cells[..., [CELLS.index(c) for c in rate.denominator]].sum(axis=-1)
    return numerator, denominator


def rates(cells: np.ndarray) -> dict[str, np.ndarray]:
    """Every rate in RATES from counts shaped (..., 4); the result drops the last axis."""
    return {name: divide(*proportion(cells, rate)) for name, rate in RATES.items()}


def spread(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(max − min, min / max) over the groups (last axis) whose value is defined.

    fairlearn's ``MetricFrame.difference()`` and ``.ratio()`` (``method="between_groups"``);
    the ratio is undefined when the largest value is 0.
    """
    defined = ~np.isnan(values)
    anything = defined.any(axis=-1)
    high = np.where(anything, np.where(defined, values, -np.inf).max(axis=-1), np.nan)
    low = np.where(anything, np.where(defined, values, np.inf).min(axis=-1), np.nan)
    return high - low, divide(low, high)


def impact_ratios(values: np.ndarray, reference: int) -> np.ndarray:
    """Each group's value divided by the reference group's (NYC Local Law 144 impact ratio)."""
    return divide(values, values[..., reference : reference + 1])


def worst_group(values: np.ndarray, higher_is_better: bool) -> int | None:
    """Index of the worst-off group (Rawlsian view, Jørgensen & Søgaard); None if all undefined."""
    if np.isnan(values).all():
        return None
    return int(np.nanargmin(values) if higher_is_better else np.nanargmax(values))


def equalized_odds(tpr: np.ndarray, fpr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(difference, ratio) of equalized odds (Hardt et al. 2016) as fairlearn defines them:
    the larger of the TPR and FPR differences, the smaller of their ratios.

    An undefined one of the two is skipped (fairlearn's ``min()`` of a ratio pair returns NaN
    when the TPR ratio is undefined, but not when the FPR ratio is)."""
    tpr_difference, tpr_ratio = spread(tpr)
    fpr_difference, fpr_ratio = spread(fpr)
    return np.fmax(tpr_difference, fpr_difference), np.fmin(tpr_ratio, fpr_ratio)
