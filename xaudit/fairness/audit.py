"""Group fairness of a classifier from its per-group confusion counts.

``group_fairness(counts)`` computes, per group and overall, the rates in ``metrics.RATES``;
per criterion in ``metrics.PARITY`` the difference and ratio between groups, each group's
impact ratio against the reference group, the four-fifths flags (EEOC Uniform Guidelines,
29 CFR 1607.4(D)) against the reference and between the lowest and highest group large enough to
judge, and the worst-off group (Rawlsian view, Jørgensen & Søgaard: the lowest rate, ŷ=1 being
the favourable decision); a Holm-corrected test of each group against the reference. The
reference rule is stated as applied (``describe_reference``: the too-small groups it passed over). Groups under ``min_share`` of the
rows or with fewer than ``min_rows`` rows are flagged as too small to judge, and still
reported (as NYC Local Law 144 audits require).

Intervals (``intervals.py``): Wilson for each rate, and for each group's signed difference to
the reference (Newcombe) and its impact ratio (score), which can cover "no gap"; the
between-group max − min and min / max are point summaries without an interval (a percentile
bootstrap of a maximum never covers 0). Each comparison also has its minimum detectable
difference (``power.py``): what the test could have found with power 0.8, and the group size
needed to detect ``target_gap``; with an ``equivalence_margin`` δ, a TOST p-value that the gap
lies within ±δ (``equivalence.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import DataError, unknown_choice
from ..validation import check_float, check_int
from .bootstrap import DEFAULT_RESAMPLES
from .counts import GroupCounts
from .intervals import Bounds, gap_interval, wilson
from .metrics import (PARITY, RATES, ParityMeasure, divide, equalized_odds, impact_ratios, proportion, spread,
                      worst_group)
from .equivalence import equivalence_p
from .power import minimum_detectable_difference, rows_needed
from .result import TESTED_RATES, BetweenGroups, EqualizedOdds, FairnessResult, GroupRow, Interval, ParityRow
from .scores import Resampling, ScoreColumns, score_metrics
from .significance import compare_to_reference

REFERENCE_RULES = {"highest": "highest selection rate", "largest": "largest group"}
"""``highest`` is the default: impact ratios against the most selected group, as in NYC Local
Law 144 bias audits (groups flagged too small are passed over unless every group is)."""
MIN_ROWS = 30
MIN_SHARE = 0.02
TARGET_GAP = 0.10
COUNT_CELLS = ("tp", "fp", "tn", "fn")

Statistic = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class AuditSettings:
    """How to audit; checked on construction so that a bad value fails before any data is read.

    ``reference``: ``highest`` (selection rate), ``largest`` or a group name. ``n_boot``:
    bootstrap resamples where one is used (counterfactual flip rates, and the intervals of score
    metrics; the rates' and gaps' intervals are score intervals). Tests and power use
    ``alpha = 1 - confidence``.
    """

    reference: str = "highest"
    four_fifths: float = 0.8
    n_boot: int = DEFAULT_RESAMPLES
    confidence: float = 0.95
    seed: int = 0
    min_rows: int = MIN_ROWS
    min_share: float = MIN_SHARE
    target_gap: float = TARGET_GAP
    """The gap whose required group size a power statement gives ("180 rows needed for 0.10")."""
    equivalence_margin: float | None = None
    """δ of the equivalence tests (TOST): None runs none."""

    def __post_init__(self) -> None:
        checked = {
            "four_fifths": check_float("four_fifths", self.four_fifths, minimum=0, maximum=1, exclusive_minimum=True),
            "n_boot": check_int("n_boot", self.n_boot, minimum=0),
            "confidence": check_float("confidence", self.confidence, minimum=0, maximum=1, exclusive_minimum=True),
            "seed": check_int("seed", self.seed, minimum=0),
            "min_rows": check_int("min_rows", self.min_rows, minimum=0),
            "min_share": check_float("min_share", self.min_share, minimum=0, maximum=1),
            "target_gap": check_float("target_gap", self.target_gap, minimum=0, maximum=1, exclusive_minimum=True),
            "equivalence_margin": None if self.equivalence_margin is None else check_float(
                "equivalence_margin", self.equivalence_margin, minimum=0, maximum=1, exclusive_minimum=True),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def alpha(self) -> float:
        return round(1 - self.confidence, 12)


def group_fairness(counts: GroupCounts, settings: AuditSettings | None = None, *,
                   source: dict[str, object] | None = None, scores: ScoreColumns | None = None) -> FairnessResult:
    """Audit ``counts``: rates, parity gaps, impact ratios, flags, intervals and tests.

    ``source`` (what was read, e.g. ``Loaded.describe()``) is carried into the result; with ``scores``
    (``Loaded.scores``) also ranking, calibration and the threshold sweep per group (``scores.py``).
    """
    settings = settings or AuditSettings()
    if counts.total == 0:
        raise DataError("no rows to audit")

    share = counts.n / counts.total
    too_small = (counts.n < settings.min_rows) | (share < settings.min_share)
    selection_rate = rate_of("selection_rate")(counts.cells)
    ref = choose_reference(settings.reference, counts.groups, selection_rate, counts.n, too_small)
    tests = {rate: compare_to_reference(*proportion(counts.cells, RATES[rate]), ref, settings.alpha)
             for rate in TESTED_RATES}
    values, bounds = _rates(counts.cells, settings.confidence)
    groups = tuple(
        GroupRow(group=name, n=int(counts.n[g]), share=float(share[g]),
                 counts={cell: int(counts[cell][g]) for cell in COUNT_CELLS},
                 rates={rate: float(value[g]) for rate, value in values.items()},
                 intervals=_at(bounds, g), too_small=bool(too_small[g]),
                 tests={rate: tests[rate][g] for rate in TESTED_RATES})
        for g, name in enumerate(counts.groups))
    values, bounds = _rates(counts.cells.sum(axis=0), settings.confidence)
    overall = GroupRow(group="overall", n=counts.total, share=1.0,
                       counts={cell: int(counts[cell].sum()) for cell in COUNT_CELLS},
                       rates={rate: float(value) for rate, value in values.items()},
                       intervals=_at(bounds, ()), too_small=False, tests=None)
    odds_difference, odds_ratio = equalized_odds(rate_of("tpr")(counts.cells), rate_of("fpr")(counts.cells))
    return FairnessResult(
        groups=groups,
        overall=overall,
        parity={m.key: _parity_row(m, counts, ref, settings, too_small) for m in PARITY},
        equalized_odds=EqualizedOdds(float(odds_difference), float(odds_ratio)),
        reference_group=counts.groups[ref],
        reference_rule=describe_reference(settings.reference, counts, selection_rate, too_small, ref),
        settings={**asdict(settings), "alpha": settings.alpha},
        source=dict(source or {}),
        scores=None if scores is None else score_metrics(
            *scores.by_group(counts.groups), counts.groups,
            [name for g, name in enumerate(counts.groups) if not too_small[g]], settings.four_fifths,
            confidence=settings.confidence, resampling=Resampling(settings.n_boot, settings.seed)),
    )


def rate_of(name: str) -> Statistic:
    """counts (..., G, 4) -> the rate ``name`` per group (..., G)."""
    return lambda cells: divide(*proportion(cells, RATES[name]))


def choose_reference(rule: str, groups: Sequence[str], selection_rate: np.ndarray, n: np.ndarray,
                     too_small: np.ndarray) -> int:
    """Index of the reference group for impact ratios and tests (see REFERENCE_RULES)."""
    if rule == "largest":
        return int(np.argmax(n))
    if rule == "highest":
        eligible = ~too_small if (~too_small).any() else np.ones(len(groups), dtype=bool)
        eligible &= ~np.isnan(selection_rate)
        if not eligible.any():
            raise DataError("no group has a defined selection rate to serve as the reference")
        return int(np.argmax(np.where(eligible, selection_rate, -np.inf)))
    if rule in groups:
        return list(groups).index(rule)
    raise unknown_choice("reference", rule, [*REFERENCE_RULES, *groups])


def describe_reference(rule: str, counts: GroupCounts, selection_rate: np.ndarray, too_small: np.ndarray,
                       ref: int) -> str:
    """The rule that chose the reference, as applied: which groups the ``highest`` rule passed over
    because they are too small to judge, though their selection rate is higher."""
    if rule not in REFERENCE_RULES:
        return "named group"
    if rule == "largest":
        return REFERENCE_RULES[rule]
    if too_small.all():
        return "highest selection rate (every group is too small to judge, so every group was eligible)"
    passed = [g for g in np.flatnonzero(too_small) if selection_rate[g] > selection_rate[ref]]
    text = "highest selection rate among the groups large enough to judge"
    if passed:
        text += "; passed over as too small, though higher: " + ", ".join(
            f"{counts.groups[g]} ({selection_rate[g]:.3f}, n = {int(counts.n[g]):,})" for g in passed)
    return text


def _rates(cells: np.ndarray, confidence: float) -> tuple[dict[str, np.ndarray], dict[str, Bounds]]:
    """Every rate of counts (..., 4), and its Wilson interval."""
    values, bounds = {}, {}
    for name, rate in RATES.items():
        successes, trials = proportion(cells, rate)
        values[name], bounds[name] = divide(successes, trials), wilson(successes, trials, confidence)
    return values, bounds


def _at(bounds: dict[str, Bounds], index: int | tuple[()]) -> dict[str, Interval]:
    """The intervals at ``index`` (a group, or ``()`` for pooled counts)."""
    return {rate: (float(low[index]), float(high[index])) for rate, (low, high) in bounds.items()}


def between_groups(values: np.ndarray, groups: Sequence[str], judged: np.ndarray,
                   four_fifths: float) -> BetweenGroups | None:
    """The four-fifths rule between the lowest and the highest rate of the groups large enough to judge
    (so two groups neither of which is the reference are compared too); None with fewer than two."""
    defined = np.flatnonzero(judged & ~np.isnan(values))
    if len(defined) < 2:
        return None
    low, high = defined[np.argmin(values[defined])], defined[np.argmax(values[defined])]
    ratio = float(divide(values[low], values[high]))
    return BetweenGroups(groups[low], groups[high], ratio, bool(ratio < four_fifths))


def _parity_row(measure: ParityMeasure, counts: GroupCounts, ref: int, settings: AuditSettings,
                too_small: np.ndarray) -> ParityRow:
    groups = counts.groups
    successes, trials = proportion(counts.cells, RATES[measure.rate])
    values = divide(successes, trials)
    difference, ratio = spread(values)
    impact = impact_ratios(values, ref)
    worst = worst_group(values, measure.higher_is_better)
    applies = measure.four_fifths is None

    def interval(g: int, compare: str) -> Interval | None:
        if g == ref:
            return None
        return gap_interval(int(successes[g]), int(trials[g]), int(successes[ref]), int(trials[ref]), compare,
                            settings.confidence)

    return ParityRow(
        key=measure.key, rate=measure.rate, definition=measure.definition, higher_is_better=measure.higher_is_better,
        difference=float(difference), ratio=float(ratio),
        worst_group=None if worst is None else groups[worst],
        worst_value=float("nan") if worst is None else float(values[worst]),
        impact_ratio={name: float(impact[g]) for g, name in enumerate(groups)},
        impact_ratio_interval={name: interval(g, "ratio") for g, name in enumerate(groups)},
        below_four_fifths=[name for g, name in enumerate(groups) if impact[g] < settings.four_fifths]
        if applies else None,
        four_fifths_reason=measure.four_fifths,
        between_groups=between_groups(values, groups, ~too_small, settings.four_fifths) if applies else None,
        difference_to_reference={name: float(values[g] - values[ref]) for g, name in enumerate(groups)},
        difference_to_reference_interval={name: interval(g, "diff") for g, name in enumerate(groups)},
        detectable_difference={
            name: math.nan if g == ref else minimum_detectable_difference(
                float(values[ref]), int(trials[g]), int(trials[ref]), settings.alpha, measure.higher_is_better)
            for g, name in enumerate(groups)},
        rows_needed={name: math.nan if g == ref else rows_needed(
            float(values[ref]), int(trials[ref]), settings.target_gap, settings.alpha, measure.higher_is_better)
            for g, name in enumerate(groups)},
        equivalence_p=None if settings.equivalence_margin is None else {
            name: math.nan if g == ref else equivalence_p(int(successes[g]), int(trials[g]), int(successes[ref]),
                                                          int(trials[ref]), settings.equivalence_margin)
            for g, name in enumerate(groups)},
    )
