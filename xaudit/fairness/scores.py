"""Group fairness of scores, not only decisions: ranking, calibration and a threshold sweep per group.

- ranking: ROC AUC and average precision (scikit-learn's ``roc_auc_score``, ``average_precision_score``);
- calibration: Brier score (Brier 1950), expected calibration error over equal-width bins (Naeini
  et al. 2015; Guo et al. 2017) and the reliability curve (per bin: mean score, observed rate, rows),
  binned as scikit-learn's ``calibration_curve(strategy="uniform")``;
- threshold sweep: at each cut-off t (``score >= t`` is favourable) each group's selection rate, TPR and
  FPR, the impact ratio (lowest selection rate over the highest, among the groups judged) and the TPR
  and FPR gaps (max − min), and the ranges of cut-offs that pass the four-fifths rule.

Reading keeps only compact columns (label int8, score float64, group code int32) per chunk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .intervals import gap_interval
from .score_intervals import METHOD as INTERVAL_METHOD, score_intervals

BINS = 10
CUTOFFS = np.round(np.linspace(0.0, 1.0, 101), 2)
"""Cut-offs of the threshold sweep: 0.00, 0.01, ..., 1.00."""
METHOD = ("ROC AUC and average precision (scikit-learn), Brier score, expected calibration error over "
          f"{BINS} equal-width bins (Naeini et al. 2015), each with a {INTERVAL_METHOD} interval; threshold sweep: "
          "score >= cut-off is favourable")


@dataclass
class ScoreColumns:
    """Labels, scores and group names of the rows kept, gathered chunk by chunk (compact dtypes)."""

    labels: list[np.ndarray] = field(default_factory=list)
    scores: list[np.ndarray] = field(default_factory=list)
    codes: list[np.ndarray] = field(default_factory=list)
    names: dict[str, int] = field(default_factory=dict)

    def add(self, labels: np.ndarray, scores: np.ndarray, codes: np.ndarray, names: Sequence[str]) -> None:
        """Rows of one chunk; ``codes`` index the chunk's ``names`` (all valid: filter first)."""
        remap = np.array([self.names.setdefault(name, len(self.names)) for name in names] or [0], dtype=np.int32)
        self.labels.append(labels.astype(np.int8))
        self.scores.append(scores.astype(np.float64))
        self.codes.append(remap[codes.astype(np.int64)] if len(codes) else codes.astype(np.int32))

    def by_group(self, groups: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(labels, scores, index into ``groups``) of the rows in ``groups``."""
        labels, scores = np.concatenate(self.labels or [np.zeros(0)]), np.concatenate(self.scores or [np.zeros(0)])
        codes = np.concatenate(self.codes or [np.zeros(0, dtype=np.int32)])
        position = np.full(max(len(self.names), 1), -1, dtype=np.int64)
        for index, name in enumerate(groups):
            if name in self.names:
                position[self.names[name]] = index
        mapped = position[codes] if len(codes) else codes.astype(np.int64)
        keep = mapped >= 0
        return labels[keep].astype(np.int64), scores[keep], mapped[keep]


@dataclass(frozen=True)
class GroupScores:
    """Ranking and calibration of one group's scores (NaN where undefined, e.g. AUC with one class)."""

    group: str
    n: int
    positives: int
    auc: float
    average_precision: float
    brier: float
    ece: float
    reliability: list[dict[str, float]]
    """Non-empty bins: ``low``, ``high``, ``n``, ``mean_score``, ``observed``."""
    intervals: dict[str, tuple[float, float]] | None = None
    """(low, high) of ``auc``, ``average_precision``, ``brier`` and ``ece`` (``score_intervals.py``); None
    without resamples."""

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "n": self.n, "positives": self.positives, "auc": _number(self.auc),
                "average_precision": _number(self.average_precision), "brier": _number(self.brier),
                "ece": _number(self.ece), "reliability": self.reliability,
                "intervals": None if self.intervals is None else
                {name: [_number(low), _number(high)] for name, (low, high) in self.intervals.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroupScores:
        return cls(data["group"], data["n"], data["positives"], _float(data["auc"]),
                   _float(data["average_precision"]), _float(data["brier"]), _float(data["ece"]),
                   list(data["reliability"]), None if data.get("intervals") is None else
                   {name: (_float(low), _float(high)) for name, (low, high) in data["intervals"].items()})


@dataclass(frozen=True)
class ThresholdSweep:
    """Per cut-off: rates per group, the impact ratio among ``judged`` groups, TPR and FPR gaps."""

    cutoffs: list[float]
    judged: list[str]
    selection_rate: dict[str, list[float]]
    tpr: dict[str, list[float]]
    fpr: dict[str, list[float]]
    impact_ratio: list[float]
    tpr_gap: list[float]
    fpr_gap: list[float]
    four_fifths: float
    passing: list[tuple[float, float]]
    """Ranges [first, last] of consecutive cut-offs whose impact ratio is at least ``four_fifths``."""
    impact_ratio_interval: list[tuple[float, float]] = field(default_factory=list)
    """Per cut-off, the MOVER-R interval (``intervals.gap_interval``) of the impact ratio: the lowest judged
    group's selection rate over the highest's at that cut-off."""
    shown_passing: list[tuple[float, float]] = field(default_factory=list)
    """Ranges of cut-offs whose impact-ratio interval lies wholly at or above ``four_fifths``."""

    def to_dict(self) -> dict[str, Any]:
        def numbers(values: list[float]) -> list[float | None]:
            return [_number(v) for v in values]

        return {"cutoffs": self.cutoffs, "judged": self.judged, "four_fifths": self.four_fifths,
                "selection_rate": {g: numbers(v) for g, v in self.selection_rate.items()},
                "tpr": {g: numbers(v) for g, v in self.tpr.items()},
                "fpr": {g: numbers(v) for g, v in self.fpr.items()},
                "impact_ratio": numbers(self.impact_ratio), "tpr_gap": numbers(self.tpr_gap),
                "fpr_gap": numbers(self.fpr_gap), "passing": [list(r) for r in self.passing],
                "impact_ratio_interval": [numbers(list(pair)) for pair in self.impact_ratio_interval],
                "shown_passing": [list(r) for r in self.shown_passing]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThresholdSweep:
        def floats(values: list[float | None]) -> list[float]:
            return [_float(v) for v in values]

        return cls(list(data["cutoffs"]), list(data["judged"]),
                   {g: floats(v) for g, v in data["selection_rate"].items()},
                   {g: floats(v) for g, v in data["tpr"].items()}, {g: floats(v) for g, v in data["fpr"].items()},
                   floats(data["impact_ratio"]), floats(data["tpr_gap"]), floats(data["fpr_gap"]),
                   float(data["four_fifths"]), [tuple(r) for r in data["passing"]],
                   [tuple(floats(pair)) for pair in data.get("impact_ratio_interval", [])],
                   [tuple(r) for r in data.get("shown_passing", [])])

    def describe_passing(self) -> str:
        """``cut-offs 0.31-0.47 pass the four-fifths rule`` (or that none does)."""
        if not self.passing:
            return (f"no cut-off from {self.cutoffs[0]:.2f} to {self.cutoffs[-1]:.2f} passes the four-fifths rule "
                    f"among {', '.join(self.judged)}")
        shown = _ranges(self.shown_passing) if self.shown_passing else "none"
        return (f"cut-offs {_ranges(self.passing)} pass the four-fifths rule (lowest selection rate ≥ "
                f"{self.four_fifths:g} of the highest, among {', '.join(self.judged)}); shown to pass, the impact "
                f"ratio's interval wholly ≥ {self.four_fifths:g}: {shown}")


@dataclass(frozen=True, eq=False)
class ScoreMetrics:
    """Score metrics per group and overall, and the threshold sweep; equal when their JSON forms are
    (undefined values, NaN here, then compare equal)."""

    groups: tuple[GroupScores, ...]
    overall: GroupScores
    sweep: ThresholdSweep
    bins: int = BINS

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScoreMetrics) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def group(self, name: str) -> GroupScores:
        return next(row for row in self.groups if row.group == name)

    def to_dict(self) -> dict[str, Any]:
        return {"bins": self.bins, "method": METHOD, "groups": [g.to_dict() for g in self.groups],
                "overall": self.overall.to_dict(), "threshold_sweep": self.sweep.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoreMetrics:
        return cls(tuple(GroupScores.from_dict(g) for g in data["groups"]), GroupScores.from_dict(data["overall"]),
                   ThresholdSweep.from_dict(data["threshold_sweep"]), int(data["bins"]))


def score_metrics(labels: np.ndarray, scores: np.ndarray, codes: np.ndarray, groups: Sequence[str],
                  judged: Sequence[str], four_fifths: float, bins: int = BINS, cutoffs: np.ndarray = CUTOFFS,
                  confidence: float = 0.95, resampling: Resampling | None = None) -> ScoreMetrics:
    """Score metrics of rows with 0/1 ``labels``, probabilities ``scores`` and ``codes`` indexing ``groups``;
    the sweep's impact ratio compares the ``judged`` groups (all of them when none is), with its interval at
    ``confidence``. With ``resampling``, an interval for each group's (and the overall) AUC, average
    precision, Brier score and ECE."""
    rows = tuple(group_scores(name, labels[codes == g], scores[codes == g], bins, confidence, resampling, g)
                 for g, name in enumerate(groups))
    return ScoreMetrics(rows, group_scores("overall", labels, scores, bins, confidence, resampling, len(groups)),
                        threshold_sweep(labels, scores, codes, groups, judged or groups, four_fifths, cutoffs,
                                        confidence), bins)


@dataclass(frozen=True)
class Resampling:
    """How to resample score metrics: ``n_boot`` resamples; stream ``stream`` of ``seed`` for the group at
    position ``stream`` (so each group's interval is reproducible on its own)."""

    n_boot: int
    seed: int

    def intervals(self, labels: np.ndarray, scores: np.ndarray, bins: int, confidence: float,
                  stream: int) -> dict[str, tuple[float, float]] | None:
        if self.n_boot == 0 or len(labels) == 0:
            return None
        return score_intervals(labels, scores, bins, confidence, self.n_boot,
                               np.random.default_rng([self.seed, stream]))


def group_scores(name: str, labels: np.ndarray, scores: np.ndarray, bins: int = BINS, confidence: float = 0.95,
                 resampling: Resampling | None = None, stream: int = 0) -> GroupScores:
    """AUC, average precision, Brier score, ECE and reliability bins of one set of rows (and their intervals)."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    both = len(np.unique(labels)) == 2
    auc = float(roc_auc_score(labels, scores)) if both else math.nan
    ap = float(average_precision_score(labels, scores)) if labels.any() else math.nan
    brier = float(brier_score_loss(labels, scores, pos_label=1)) if len(labels) else math.nan
    reliability = reliability_bins(labels, scores, bins)
    ece = sum(b["n"] * abs(b["observed"] - b["mean_score"]) for b in reliability) / len(labels) if len(labels) \
        else math.nan
    return GroupScores(name, int(len(labels)), int(labels.sum()), auc, ap, brier, float(ece), reliability,
                       None if resampling is None else resampling.intervals(labels, scores, bins, confidence, stream))


def reliability_bins(labels: np.ndarray, scores: np.ndarray, bins: int = BINS) -> list[dict[str, float]]:
    """Equal-width bins of [0, 1], non-empty ones only: edges, rows, mean score and
    observed rate of the favourable label."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.searchsorted(edges[1:-1], scores)  # (low, high], the first bin closed, as calibration_curve
    n = np.bincount(index, minlength=bins)
    total = np.bincount(index, weights=scores, minlength=bins)
    hits = np.bincount(index, weights=labels, minlength=bins)
    return [{"low": float(edges[b]), "high": float(edges[b + 1]), "n": int(n[b]), "mean_score": float(total[b] / n[b]),
             "observed": float(hits[b] / n[b])} for b in range(bins) if n[b]]


def threshold_sweep(labels: np.ndarray, scores: np.ndarray, codes: np.ndarray, groups: Sequence[str],
                    judged: Sequence[str], four_fifths: float, cutoffs: np.ndarray = CUTOFFS,
                    confidence: float = 0.95) -> ThresholdSweep:
    """Rates per group at each cut-off from sorted scores (one ``searchsorted`` per group and class), and the
    impact ratio's interval at each cut-off."""
    def at_least(values: np.ndarray) -> np.ndarray:
        return len(values) - np.searchsorted(np.sort(values), cutoffs, side="left")

    selection, tpr, fpr, selected, rows = {}, {}, {}, {}, {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for g, name in enumerate(groups):
            positive, negative = scores[(codes == g) & (labels == 1)], scores[(codes == g) & (labels == 0)]
            hits, false_hits = at_least(positive), at_least(negative)
            selected[name], rows[name] = hits + false_hits, len(positive) + len(negative)
            selection[name] = (hits + false_hits) / (len(positive) + len(negative))
            tpr[name] = hits / len(positive) if len(positive) else np.full(len(cutoffs), np.nan)
            fpr[name] = false_hits / len(negative) if len(negative) else np.full(len(cutoffs), np.nan)
        chosen = np.array([selection[g] for g in judged])
        highest = chosen.max(axis=0)
        impact = np.where(highest > 0, chosen.min(axis=0) / highest, np.nan)
    tpr_gap, fpr_gap = (_spread(np.array([rates[g] for g in judged])) for rates in (tpr, fpr))
    interval = _impact_intervals(np.array([selected[g] for g in judged]), np.array([rows[g] for g in judged]),
                                 confidence)
    shown = np.array([low >= four_fifths for low, _ in interval])  # NaN bounds compare False
    return ThresholdSweep([float(c) for c in cutoffs], list(judged), _lists(selection), _lists(tpr), _lists(fpr),
                          impact.tolist(), tpr_gap, fpr_gap, four_fifths,
                          _runs(cutoffs, ~np.isnan(impact) & (impact >= four_fifths)), interval, _runs(cutoffs, shown))


def _ranges(runs: list[tuple[float, float]]) -> str:
    return ", ".join(f"{low:.2f}" if low == high else f"{low:.2f}–{high:.2f}" for low, high in runs)


def _impact_intervals(selected: np.ndarray, rows: np.ndarray, confidence: float) -> list[tuple[float, float]]:
    """Per cut-off (columns of ``selected``, judged groups × cut-offs, with ``rows`` per group), the MOVER-R
    interval of the lowest selection rate over the highest."""
    rates = selected / rows[:, None]
    out = []
    for column in range(selected.shape[1]):
        low, high = int(np.argmin(rates[:, column])), int(np.argmax(rates[:, column]))
        out.append(gap_interval(int(selected[low, column]), int(rows[low]), int(selected[high, column]),
                                int(rows[high]), "ratio", confidence))
    return out


def _spread(rates: np.ndarray) -> list[float]:
    """max − min over groups at each cut-off, ignoring undefined rates (NaN when fewer than two are defined)."""
    defined = (~np.isnan(rates)).sum(axis=0)
    with np.errstate(invalid="ignore"):
        gap = np.nanmax(np.where(np.isnan(rates), -np.inf, rates), axis=0) - \
            np.nanmin(np.where(np.isnan(rates), np.inf, rates), axis=0)
    return np.where(defined >= 2, gap, np.nan).tolist()


def _runs(cutoffs: np.ndarray, passing: np.ndarray) -> list[tuple[float, float]]:
    """Consecutive passing cut-offs as (first, last) pairs."""
    runs, start = [], None
    for index, ok in enumerate(passing):
        if ok and start is None:
            start = index
        if start is not None and (not ok or index == len(passing) - 1):
            end = index if ok else index - 1
            runs.append((float(cutoffs[start]), float(cutoffs[end])))
            start = None
    return runs


def _lists(values: dict[str, np.ndarray]) -> dict[str, list[float]]:
    return {key: np.asarray(v, dtype=float).tolist() for key, v in values.items()}


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _float(value: float | None) -> float:
    return math.nan if value is None else float(value)
