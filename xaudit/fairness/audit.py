"""Group fairness of a classifier from its per-group confusion counts.

``group_fairness(counts)`` computes, per group and overall, the rates in ``metrics.RATES``;
per criterion in ``metrics.PARITY`` the difference and ratio between groups, each group's
impact ratio against the reference group, the four-fifths flags (EEOC Uniform Guidelines,
29 CFR 1607.4(D)) and the worst-off group (Rawlsian view, Jørgensen & Søgaard); percentile
bootstrap intervals for all of these; and a Holm-corrected test of each group against the
reference. Groups under ``min_share`` of the rows or with fewer than ``min_rows`` rows are
flagged as too small to judge, and still reported (as NYC Local Law 144 audits require).

Every statistic is a function of counts shaped (..., groups, 4), so the same function gives
the point estimate (on the counts) and the interval (on all resampled counts at once).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import DataError, unknown_choice
from ..validation import check_float, check_int
from .bootstrap import DEFAULT_RESAMPLES, percentile_interval, resample_cells
from .counts import GroupCounts
from .metrics import (PARITY, RATES, ParityMeasure, divide, equalized_odds, impact_ratios, proportion, spread,
                      worst_group)
from .result import TESTED_RATES, EqualizedOdds, FairnessResult, GroupRow, Interval, ParityRow
from .significance import compare_to_reference

REFERENCE_RULES = {"highest": "highest selection rate", "largest": "largest group"}
"""``highest`` is the default: impact ratios against the most selected group, as in NYC Local
Law 144 bias audits (groups flagged too small are passed over unless every group is)."""
MIN_ROWS = 30
MIN_SHARE = 0.02
COUNT_CELLS = ("tp", "fp", "tn", "fn")

Statistic = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class AuditSettings:
    """How to audit; checked on construction so that a bad value fails before any data is read.

    ``reference``: ``highest`` (selection rate), ``largest`` or a group name. ``n_boot=0``
    skips the intervals. Tests use ``alpha = 1 - confidence``.
    """

    reference: str = "highest"
    four_fifths: float = 0.8
    n_boot: int = DEFAULT_RESAMPLES
    confidence: float = 0.95
    seed: int = 0
    min_rows: int = MIN_ROWS
    min_share: float = MIN_SHARE

    def __post_init__(self) -> None:
        checked = {
            "four_fifths": check_float("four_fifths", self.four_fifths, minimum=0, maximum=1, exclusive_minimum=True),
            "n_boot": check_int("n_boot", self.n_boot, minimum=0),
            "confidence": check_float("confidence", self.confidence, minimum=0, maximum=1, exclusive_minimum=True),
            "seed": check_int("seed", self.seed, minimum=0),
            "min_rows": check_int("min_rows", self.min_rows, minimum=0),
            "min_share": check_float("min_share", self.min_share, minimum=0, maximum=1),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def alpha(self) -> float:
        return round(1 - self.confidence, 12)


def group_fairness(counts: GroupCounts, settings: AuditSettings | None = None, *,
                   source: dict[str, object] | None = None) -> FairnessResult:
    """Audit ``counts``: rates, parity gaps, impact ratios, flags, intervals and tests.

    ``source`` (what was read, e.g. ``Loaded.describe()``) is carried into the result.
    """
    settings = settings or AuditSettings()
    if counts.total == 0:
        raise DataError("no rows to audit")

    share = counts.n / counts.total
    too_small = (counts.n < settings.min_rows) | (share < settings.min_share)
    selection_rate = rate_of("selection_rate")(counts.cells)
    ref = choose_reference(settings.reference, counts.groups, selection_rate, counts.n, too_small)
    estimate = _Estimator(counts.cells, settings.n_boot, settings.seed, settings.confidence)
    tests = {rate: compare_to_reference(*proportion(counts.cells, RATES[rate]), ref, settings.alpha)
             for rate in TESTED_RATES}

    group_rates = {rate: estimate(rate_of(rate)) for rate in RATES}
    groups = tuple(
        GroupRow(group=name, n=int(counts.n[g]), share=float(share[g]),
                 counts={cell: int(counts[cell][g]) for cell in COUNT_CELLS},
                 rates={rate: float(value[g]) for rate, (value, _) in group_rates.items()},
                 intervals=_each(group_rates, g), too_small=bool(too_small[g]),
                 tests={rate: tests[rate][g] for rate in TESTED_RATES})
        for g, name in enumerate(counts.groups))
    overall_rates = {rate: estimate(_overall(rate_of(rate))) for rate in RATES}
    overall = GroupRow(group="overall", n=counts.total, share=1.0,
                       counts={cell: int(counts[cell].sum()) for cell in COUNT_CELLS},
                       rates={rate: float(value) for rate, (value, _) in overall_rates.items()},
                       intervals=_each(overall_rates, ()), too_small=False, tests=None)
    odds_difference, odds_ratio = (estimate(_odds(i)) for i in (0, 1))
    return FairnessResult(
        groups=groups,
        overall=overall,
        parity={m.key: _parity_row(m, counts.groups, estimate, ref, settings.four_fifths) for m in PARITY},
        equalized_odds=EqualizedOdds(float(odds_difference[0]), float(odds_ratio[0]),
                                     _at(odds_difference[1], ()), _at(odds_ratio[1], ())),
        reference_group=counts.groups[ref],
        reference_rule=REFERENCE_RULES.get(settings.reference, "named group"),
        settings={**asdict(settings), "alpha": settings.alpha},
        source=dict(source or {}),
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


class _Estimator:
    """A statistic's value on the counts and its percentile interval over the resampled counts."""

    def __init__(self, cells: np.ndarray, n_boot: int, seed: int, confidence: float) -> None:
        self.cells = cells
        self.samples = resample_cells(cells, n_boot, seed) if n_boot else None
        self.confidence = confidence

    def __call__(self, statistic: Statistic) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        bounds = None if self.samples is None else percentile_interval(statistic(self.samples), self.confidence)
        return statistic(self.cells), bounds


def _overall(statistic: Statistic) -> Statistic:
    return lambda cells: statistic(cells.sum(axis=-2))


def _odds(position: int) -> Statistic:
    return lambda cells: equalized_odds(rate_of("tpr")(cells), rate_of("fpr")(cells))[position]


def _spread(rate: str, position: int) -> Statistic:
    return lambda cells: spread(rate_of(rate)(cells))[position]


def _impact(rate: str, reference: int) -> Statistic:
    return lambda cells: impact_ratios(rate_of(rate)(cells), reference)


def _parity_row(measure: ParityMeasure, groups: Sequence[str], estimate: _Estimator, ref: int,
                four_fifths: float) -> ParityRow:
    values = rate_of(measure.rate)(estimate.cells)
    difference, ratio = estimate(_spread(measure.rate, 0)), estimate(_spread(measure.rate, 1))
    impact, impact_bounds = estimate(_impact(measure.rate, ref))
    worst = worst_group(values, measure.higher_is_better)
    return ParityRow(
        key=measure.key, rate=measure.rate, definition=measure.definition, higher_is_better=measure.higher_is_better,
        difference=float(difference[0]), ratio=float(ratio[0]),
        difference_interval=_at(difference[1], ()), ratio_interval=_at(ratio[1], ()),
        worst_group=None if worst is None else groups[worst],
        worst_value=float("nan") if worst is None else float(values[worst]),
        impact_ratio={name: float(impact[g]) for g, name in enumerate(groups)},
        impact_ratio_interval=None if impact_bounds is None else {
            name: _at(impact_bounds, g) for g, name in enumerate(groups)},
        below_four_fifths=[name for g, name in enumerate(groups) if impact[g] < four_fifths]
        if measure.higher_is_better else None,
    )


def _at(bounds: tuple[np.ndarray, np.ndarray] | None, index: int | tuple[()]) -> Interval | None:
    return None if bounds is None else (float(bounds[0][index]), float(bounds[1][index]))


def _each(estimates: dict[str, tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]],
          index: int | tuple[()]) -> dict[str, Interval] | None:
    """Per-rate intervals at ``index``; None without resamples."""
    if any(bounds is None for _, bounds in estimates.values()):
        return None
    return {rate: _at(bounds, index) for rate, (_, bounds) in estimates.items()}
