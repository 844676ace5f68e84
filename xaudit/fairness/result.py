"""The result of a group fairness audit, and its JSON and table (CSV) forms.

Undefined values are NaN here, ``null`` in JSON and empty in CSV. Renderers read these
fields; they never recompute.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..errors import DataError
from ..schema import JsonResult, check_envelope, envelope
from .counts import CELLS
from .metrics import PARITY, RATES
from .intervals import DIFFERENCE_METHOD, RATE_METHOD, RATIO_METHOD
from .equivalence import METHOD as EQUIVALENCE_METHOD
from .power import METHOD as POWER_METHOD, power_statement
from .scores import ScoreMetrics
from .significance import ProportionTest

if TYPE_CHECKING:
    import pandas as pd

    from .audit import AuditSettings

Interval = tuple[float, float]
SCORE_COLUMNS = ("auc", "average_precision", "brier", "ece")
TESTED_RATES = tuple(measure.rate for measure in PARITY)
"""Rates tested group against reference: those of the parity criteria."""
SUMMARY_NAMES = tuple(
    f"{measure.key}_{stat}" for measure in PARITY for stat in ("difference", "ratio", "impact_ratio", "worst")
) + ("equalized_odds_difference", "equalized_odds_ratio")
"""Names usable in ``--fail-on`` (see ``FairnessResult.summary``)."""
METHODS = {"rate_interval": RATE_METHOD, "difference_to_reference_interval": DIFFERENCE_METHOD,
           "impact_ratio_interval": RATIO_METHOD, "detectable_difference": POWER_METHOD,
           "equivalence_p": EQUIVALENCE_METHOD}
"""How the intervals and the detectable differences are computed (written to the JSON)."""


@dataclass(frozen=True)
class GroupRow:
    """One group (or the overall population): counts, rates, intervals, flags and tests."""

    group: str
    n: int
    share: float
    counts: dict[str, int]
    rates: dict[str, float]
    intervals: dict[str, Interval] | None
    too_small: bool
    tests: dict[str, ProportionTest | None] | None

    def to_dict(self) -> dict[str, object]:
        return {
            "group": self.group, "n": self.n, "share": _number(self.share), **self.counts,
            **{name: _number(value) for name, value in self.rates.items()},
            "intervals": _intervals(self.intervals),
            "too_small": self.too_small,
            "tests": None if self.tests is None else {
                rate: None if test is None else {key: _number(value) if isinstance(value, float) else value
                                                 for key, value in asdict(test).items()}
                for rate, test in self.tests.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroupRow:
        tests = data.get("tests")
        return cls(data["group"], data["n"], _float(data["share"]), {c: data[c] for c in CELLS},
                   {name: _float(data[name]) for name in RATES}, _from_intervals(data["intervals"]),
                   data["too_small"], None if tests is None else {
                       rate: None if t is None else ProportionTest(t["test"], _float(t["p_value"]), _float(t["p_holm"]),
                                                                   t["significant"])
                       for rate, t in tests.items()})


@dataclass(frozen=True)
class BetweenGroups:
    """The lowest and the highest rate among the groups large enough to judge, and their ratio
    (lowest / highest): the four-fifths rule between any two groups, not only against the reference."""

    lowest: str
    highest: str
    ratio: float
    below_four_fifths: bool


@dataclass(frozen=True)
class ParityRow:
    """One criterion: gaps between groups, each group against the reference, worst-off group.

    ``difference`` (max − min) and ``ratio`` (min / max) are point summaries without an
    interval. Per group: the signed ``difference_to_reference`` with its Newcombe interval,
    the ``impact_ratio`` with its score interval (None for the reference itself), and the
    ``detectable_difference`` a test at ``alpha`` finds with power 0.8 (see ``power.py``).
    """

    key: str
    rate: str
    definition: str
    higher_is_better: bool
    difference: float
    ratio: float
    worst_group: str | None
    worst_value: float
    impact_ratio: dict[str, float]
    impact_ratio_interval: dict[str, Interval | None]
    below_four_fifths: list[str] | None
    """Groups whose impact ratio is under the four-fifths threshold; None where the rule does
    not apply (the FPR: ``four_fifths_reason`` says why)."""
    difference_to_reference: dict[str, float]
    difference_to_reference_interval: dict[str, Interval | None]
    detectable_difference: dict[str, float]
    rows_needed: dict[str, float]
    """Trials (rows, for the selection rate) a group needs to detect the audit's ``target_gap``; NaN for
    the reference or when no size would do."""
    equivalence_p: dict[str, float] | None = None
    """TOST p-value that the gap to the reference lies within ±``equivalence_margin``; None without one."""
    four_fifths_reason: str | None = None
    """Why the four-fifths rule is not applied to this rate; None where it is."""
    between_groups: BetweenGroups | None = None
    """The four-fifths rule between the lowest and highest group large enough to judge; None where the
    rule does not apply or fewer than two groups can be judged."""

    def between_flag(self, reference: str) -> BetweenGroups | None:
        """The between-groups pair when it is below four-fifths and adds to the flags against ``reference``
        (its highest group is not the reference itself)."""
        pair = self.between_groups
        return pair if pair is not None and pair.below_four_fifths and pair.highest != reference else None

    def equivalent(self, alpha: float) -> list[str]:
        """Groups shown to be within the equivalence margin of the reference (TOST p < alpha)."""
        return [g for g, p in (self.equivalence_p or {}).items() if not math.isnan(p) and p < alpha]

    @property
    def worst_impact_ratio(self) -> float:
        """The lowest impact ratio (the worst-off side: a higher rate favours the group); NaN if none defined."""
        defined = [v for v in self.impact_ratio.values() if not math.isnan(v)]
        return min(defined) if defined else math.nan

    def to_dict(self) -> dict[str, object]:
        return {
            "rate": self.rate, "definition": self.definition, "higher_is_better": self.higher_is_better,
            "difference": _number(self.difference), "ratio": _number(self.ratio),
            "worst_group": self.worst_group, "worst_value": _number(self.worst_value),
            "impact_ratio": _numbers(self.impact_ratio),
            "impact_ratio_interval": _intervals(self.impact_ratio_interval),
            "below_four_fifths": self.below_four_fifths,
            "difference_to_reference": _numbers(self.difference_to_reference),
            "difference_to_reference_interval": _intervals(self.difference_to_reference_interval),
            "detectable_difference": _numbers(self.detectable_difference),
            "rows_needed": _numbers(self.rows_needed),
            "equivalence_p": None if self.equivalence_p is None else _numbers(self.equivalence_p),
            "four_fifths_reason": self.four_fifths_reason,
            "between_groups": None if self.between_groups is None else
            asdict(self.between_groups) | {"ratio": _number(self.between_groups.ratio)},
        }

    @classmethod
    def from_dict(cls, key: str, data: dict[str, Any]) -> ParityRow:
        if "difference_to_reference" not in data:
            raise DataError(f"parity {key!r} has no 'difference_to_reference': the document predates the gap "
                            "intervals (written by an older xaudit); rerun the audit")
        return cls(key, data["rate"], data["definition"], data["higher_is_better"], _float(data["difference"]),
                   _float(data["ratio"]), data["worst_group"], _float(data["worst_value"]),
                   _floats(data["impact_ratio"]), _from_intervals(data["impact_ratio_interval"]),
                   data["below_four_fifths"], _floats(data["difference_to_reference"]),
                   _from_intervals(data["difference_to_reference_interval"]), _floats(data["detectable_difference"]),
                   _floats(data.get("rows_needed") or {}),
                   None if data.get("equivalence_p") is None else _floats(data["equivalence_p"]),
                   data.get("four_fifths_reason"),
                   None if data.get("between_groups") is None else
                   BetweenGroups(**data["between_groups"] | {"ratio": _float(data["between_groups"]["ratio"])}))


@dataclass(frozen=True)
class EqualizedOdds:
    """Equalized odds (Hardt et al. 2016), fairlearn's worst-case aggregation of TPR and FPR gaps
    (point summaries; the per-group TPR and FPR gaps to the reference carry the intervals)."""

    difference: float
    ratio: float

    def to_dict(self) -> dict[str, object]:
        return {"difference": _number(self.difference), "ratio": _number(self.ratio)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EqualizedOdds:
        return cls(_float(data["difference"]), _float(data["ratio"]))


@dataclass(frozen=True)
class FairnessResult(JsonResult):
    """Group fairness of a classifier's decisions: per group, overall, and per criterion."""

    kind = "group_fairness"

    groups: tuple[GroupRow, ...]
    overall: GroupRow
    parity: dict[str, ParityRow]
    equalized_odds: EqualizedOdds
    reference_group: str
    reference_rule: str
    settings: dict[str, object]
    source: dict[str, object]
    scores: ScoreMetrics | None = None
    """Ranking, calibration and the threshold sweep, when the decisions came with scores."""

    def group(self, name: str) -> GroupRow:
        return next(row for row in self.groups if row.group == name)

    def power_statement(self, name: str, key: str = "statistical_parity") -> str:
        """What the comparison of group ``name`` with the reference could detect on ``key``'s rate:
        ``n = 41: could detect a gap of 0.19 or more; 180 rows needed for 0.10``."""
        row, parity = self.group(name), self.parity[key]
        if name == self.reference_group:
            return f"n = {row.n:,}: the reference group"
        return power_statement(row.n, parity.detectable_difference[name], parity.rows_needed.get(name, math.nan),
                               float(self.settings.get("target_gap", 0.1)), f"{RATES[parity.rate].label} gap")

    def equivalence_statement(self, key: str = "statistical_parity") -> str | None:
        """"no disparity larger than ±δ in selection rate" when every group is shown equivalent to the
        reference (TOST at alpha); which groups are, otherwise; None without a margin."""
        parity, margin = self.parity[key], self.settings.get("equivalence_margin")
        if parity.equivalence_p is None or margin is None:
            return None
        alpha = float(self.settings["alpha"])
        others = [g.group for g in self.groups if g.group != self.reference_group]
        shown = parity.equivalent(alpha)
        what = f"{RATES[parity.rate].label} against {self.reference_group}"
        if others and len(shown) == len(others):
            return f"no disparity larger than ±{margin:g} in {what} (TOST, alpha {alpha:g}, every group)"
        missing = [g for g in others if g not in shown]
        return (f"equivalence within ±{margin:g} in {what} shown for {', '.join(shown) or 'no group'}; not shown "
                f"for {', '.join(missing)} (TOST, alpha {alpha:g}: the data cannot rule out a larger gap)")

    @property
    def audit_settings(self) -> AuditSettings:
        """The settings the audit ran with, as the typed record."""
        from dataclasses import fields

        from .audit import AuditSettings

        return AuditSettings(**{f.name: self.settings[f.name] for f in fields(AuditSettings) if f.name in self.settings})

    def summary(self) -> dict[str, float]:
        """Named scalars for CI gates (``--fail-on``): per criterion its ``difference``,
        ``ratio``, ``impact_ratio`` (the worst group's) and ``worst`` (the worst-off group's
        rate), plus ``equalized_odds_difference`` / ``_ratio``."""
        values: dict[str, float] = {}
        for key, row in self.parity.items():
            values |= {f"{key}_difference": row.difference, f"{key}_ratio": row.ratio,
                       f"{key}_impact_ratio": row.worst_impact_ratio, f"{key}_worst": row.worst_value}
        values |= {"equalized_odds_difference": self.equalized_odds.difference,
                   "equalized_odds_ratio": self.equalized_odds.ratio}
        return values

    def to_dict(self) -> dict[str, object]:
        """The JSON form (``schema_version`` 1); NaN becomes null."""
        return envelope(self.kind) | {
            "reference_group": self.reference_group,
            "reference_rule": self.reference_rule,
            "settings": self.settings,
            "source": self.source,
            "groups": [row.to_dict() for row in self.groups],
            "overall": self.overall.to_dict(),
            "parity": {key: row.to_dict() for key, row in self.parity.items()},
            "rate_definitions": {name: rate.definition for name, rate in RATES.items()},
            "methods": METHODS,
            "equalized_odds": self.equalized_odds.to_dict(),
            "scores": None if self.scores is None else self.scores.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FairnessResult:
        data = check_envelope(data, cls.kind)
        return cls(tuple(GroupRow.from_dict(row) for row in data["groups"]), GroupRow.from_dict(data["overall"]),
                   {key: ParityRow.from_dict(key, row) for key, row in data["parity"].items()},
                   EqualizedOdds.from_dict(data["equalized_odds"]), data["reference_group"],
                   data["reference_rule"], dict(data["settings"]), dict(data["source"]),
                   None if data.get("scores") is None else ScoreMetrics.from_dict(data["scores"]))

    def to_frame(self) -> pd.DataFrame:
        """One row per group plus an ``overall`` row (column ``level``): counts, rates with their
        interval bounds, the small-group flag, impact ratios, four-fifths flags and tests."""
        import pandas as pd

        return pd.DataFrame([self._frame_row(row, "group") for row in self.groups]
                            + [self._frame_row(self.overall, "overall")])

    def _frame_row(self, row: GroupRow, level: str) -> dict[str, object]:
        is_group = level == "group"
        record: dict[str, object] = {"kind": level, "group": row.group, "n": row.n, "share": row.share,
                                     **row.counts}
        for rate in RATES:
            low, high = row.intervals[rate] if row.intervals else (math.nan, math.nan)
            record |= {rate: row.rates[rate], f"{rate}_low": low, f"{rate}_high": high}
        record["too_small"] = row.too_small if is_group else None
        for key, parity in self.parity.items():
            below = parity.below_four_fifths
            record[f"{key}_impact_ratio"] = parity.impact_ratio[row.group] if is_group else None
            record[f"{key}_below_four_fifths"] = row.group in below if is_group and below is not None else None
            gap = parity.difference_to_reference_interval.get(row.group) if is_group else None
            record |= {f"{key}_difference_to_reference": parity.difference_to_reference[row.group] if is_group else None,
                       f"{key}_difference_to_reference_low": gap[0] if gap else None,
                       f"{key}_difference_to_reference_high": gap[1] if gap else None,
                       f"{key}_detectable_difference": parity.detectable_difference[row.group] if is_group else None,
                       f"{key}_rows_needed": parity.rows_needed.get(row.group) if is_group else None}
            if parity.equivalence_p is not None:
                record[f"{key}_equivalence_p"] = parity.equivalence_p[row.group] if is_group else None
        if self.scores is not None:
            scored = self.scores.group(row.group) if is_group else self.scores.overall
            record |= {name: getattr(scored, name) for name in SCORE_COLUMNS}
        for rate in TESTED_RATES:
            test = (row.tests or {}).get(rate)
            record |= {f"{rate}_{field}": None if test is None else getattr(test, field)
                       for field in ("test", "p_value", "p_holm", "significant")}
        return record


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _numbers(values: dict[str, float]) -> dict[str, float | None]:
    return {key: _number(value) for key, value in values.items()}


def _floats(values: dict[str, float | None]) -> dict[str, float]:
    return {key: _float(value) for key, value in values.items()}


def _pair(interval: Interval | None) -> list[float | None] | None:
    return None if interval is None else [_number(interval[0]), _number(interval[1])]


def _intervals(intervals: dict[str, Interval | None] | None) -> dict[str, list[float | None] | None] | None:
    return None if intervals is None else {key: _pair(value) for key, value in intervals.items()}


def _float(value: float | None) -> float:
    """The inverse of ``_number``: null back to NaN."""
    return math.nan if value is None else float(value)


def _from_pair(pair: list[float | None] | None) -> Interval | None:
    return None if pair is None else (_float(pair[0]), _float(pair[1]))


def _from_intervals(intervals: dict[str, list[float | None] | None] | None) -> dict[str, Interval | None] | None:
    return None if intervals is None else {key: _from_pair(value) for key, value in intervals.items()}
