"""Attribution by group: which columns a tabular model's decisions rest on, group by group.

model + table ─► attributions (one per row and column, toward the favourable class) ─► per
group the mean absolute attribution of each column with a percentile bootstrap interval
(rows resampled within the group; Efron & Tibshirani 1993, ch. 13), and the share of that
attribution mass on the protected attributes (the card's ``audit.protected``) and on their
proxies: the other columns whose association with a protected attribute
(:mod:`~xaudit.fairness.association`) reaches ``proxy_threshold``. A model may not read a
protected attribute and still lean on it through a proxy (Barocas, Hardt & Narayanan 2023, ch. 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..progress import ProgressFn, silent
from ..schema import JsonResult, check_envelope, envelope
from ..validation import check_float
from .association import DEFAULT_PROXY_THRESHOLD, association
from .audit import AuditSettings
from .bootstrap import percentile_interval
from .model_decisions import ModelDecisions, describe_source, group_codes, model_decisions

DEFAULT_METHOD = "ig"
DEFAULT_MAX_ROWS = 2000
"""Rows explained at most; a larger table is sampled (seeded) and the result says so."""
SHARES = ("protected_share", "proxy_share")


@dataclass(frozen=True)
class Association:
    """How strongly ``feature`` goes with protected ``attribute`` (``measure``: a key of ``association.MEASURES``)."""

    feature: str
    attribute: str
    measure: str
    value: float


@dataclass(frozen=True)
class GroupAttributionRow:
    """One group: rows explained, mean |attribution| per column, shares of the mass, percentile intervals."""

    group: str
    n: int
    mean_abs: dict[str, float]
    protected_share: float
    proxy_share: float
    intervals: dict[str, tuple[float, float]] | None
    """Per column and per share (``protected_share``, ``proxy_share``); None without a bootstrap."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["intervals"] = None if self.intervals is None else {k: list(v) for k, v in self.intervals.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroupAttributionRow:
        intervals = data["intervals"]
        return cls(data["group"], data["n"], dict(data["mean_abs"]), data["protected_share"], data["proxy_share"],
                   None if intervals is None else {k: (v[0], v[1]) for k, v in intervals.items()})


@dataclass(frozen=True)
class AttributionByGroup(JsonResult):
    """Attribution by group of ``model``'s favourable score by ``method`` (see module docstring)."""

    kind = "attribution_by_group"

    model: str
    method: str
    target: str
    features: tuple[str, ...]
    protected: tuple[str, ...]
    associations: tuple[Association, ...]
    proxy_threshold: float
    groups: tuple[GroupAttributionRow, ...]
    overall: GroupAttributionRow
    settings: dict[str, object]
    source: dict[str, object]

    @property
    def proxies(self) -> tuple[Association, ...]:
        """Associations at or above the threshold, strongest first (a column once, by its strongest)."""
        strong = sorted((a for a in self.associations if a.value >= self.proxy_threshold), key=lambda a: -a.value)
        return tuple({a.feature: a for a in reversed(strong)}[f] for f in dict.fromkeys(a.feature for a in strong))

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {
            "model": self.model, "method": self.method, "target": self.target, "features": list(self.features),
            "protected": list(self.protected), "proxy_threshold": self.proxy_threshold,
            "proxies": [asdict(a) for a in self.proxies], "associations": [asdict(a) for a in self.associations],
            "settings": self.settings, "source": self.source, "groups": [row.to_dict() for row in self.groups],
            "overall": self.overall.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttributionByGroup:
        data = check_envelope(data, cls.kind)
        return cls(data["model"], data["method"], data["target"], tuple(data["features"]), tuple(data["protected"]),
                   tuple(Association(**a) for a in data["associations"]), data["proxy_threshold"],
                   tuple(GroupAttributionRow.from_dict(row) for row in data["groups"]),
                   GroupAttributionRow.from_dict(data["overall"]), dict(data["settings"]), dict(data["source"]))

    def to_frame(self) -> pd.DataFrame:
        """One row per group (and ``overall``) and column: mean |attribution|, interval, role, the group's shares."""
        roles = {a.feature: "proxy" for a in self.proxies} | {p: "protected" for p in self.protected}
        rows = []
        for row in (*self.groups, self.overall):
            for feature in self.features:
                low, high = (row.intervals or {}).get(feature, (None, None))
                rows.append({"group": row.group, "n": row.n, "feature": feature, "role": roles.get(feature, ""),
                             "mean_abs_attribution": row.mean_abs[feature], "low": low, "high": high,
                             "protected_share": row.protected_share, "proxy_share": row.proxy_share})
        return pd.DataFrame(rows)


def find_associations(frame: pd.DataFrame, numeric: Sequence[str], features: Sequence[str],
                      protected: Sequence[str]) -> tuple[Association, ...]:
    """Every (non-protected column, protected attribute) pair's association, measured on ``frame``."""
    return tuple(Association(f, p, *association(frame[f], f in numeric, frame[p], p in numeric))
                 for f in features if f not in protected for p in protected)


def summarise(scores: np.ndarray, features: Sequence[str], members: Sequence[tuple[str, np.ndarray]],
              protected: Sequence[str], proxies: Sequence[str], settings: AuditSettings,
              ) -> list[GroupAttributionRow]:
    """Per ``(name, row mask)`` in ``members``: mean |scores| ``(N, F)`` per column, shares, bootstrap intervals."""
    magnitude = np.abs(np.asarray(scores, dtype=np.float64))
    index = {f: i for i, f in enumerate(features)}
    columns = [[index[f] for f in protected], [index[f] for f in proxies]]

    def stats(means: np.ndarray) -> np.ndarray:
        """(..., F) means -> (..., F + 2): the means, then the protected and proxy shares of their sum."""
        total = means.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = [means[..., c].sum(axis=-1, keepdims=True) / total for c in columns]
        return np.concatenate([means, *shares], axis=-1)

    rng = np.random.default_rng(settings.seed)
    rows = []
    for name, mask in members:
        part = magnitude[mask]
        values = stats(part.mean(axis=0))
        intervals = None
        if settings.n_boot:
            draws = rng.integers(0, len(part), size=(settings.n_boot, len(part)))
            low, high = percentile_interval(stats(part[draws].mean(axis=1)), settings.confidence)
            intervals = {key: (float(low[i]), float(high[i])) for i, key in enumerate([*features, *SHARES])}
        rows.append(GroupAttributionRow(name, int(mask.sum()), {f: float(values[i]) for f, i in index.items()},
                                        float(values[-2]), float(values[-1]), intervals))
    return rows


def column_attributions(adapter: Any, frame: pd.DataFrame, method: str, *, seed: int = 0,
                        progress: ProgressFn = silent) -> tuple[list[str], np.ndarray]:
    """Each row's attribution per column ``(N, F)`` of the favourable class by ``method`` (its defaults)."""
    from ..attribution.explain import explain
    from ..attribution.registry import build_methods

    explained = explain(adapter, frame.to_dict("records"), build_methods([method], {}),
                        target=adapter.favourable_index(), seed=seed, progress=progress)
    return list(explained[0].first.units), np.stack([e.first.scores for e in explained])


def sample_rows(n: int, max_rows: int, seed: int) -> np.ndarray:
    """All row positions, or ``max_rows`` of them drawn without replacement (seeded), in table order."""
    if n <= max_rows:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_rows, replace=False))


def run_attribution_by_group(
    *, model: str, data: str | Path | pd.DataFrame | None, explain: str = DEFAULT_METHOD, groups: Sequence[str] = (),
    settings: AuditSettings | None = None, proxy_threshold: float = DEFAULT_PROXY_THRESHOLD,
    max_rows: int = DEFAULT_MAX_ROWS, progress: ProgressFn = silent, **choices: Any,
) -> AttributionByGroup:
    """Attribution by group of tabular ``model`` on ``data`` (see module docstring).

    ``explain``: an attribution method (``ig`` from the typical applicant by default);
    ``choices`` (label_col, positive, threshold, group_cols, definitions, device) are those of
    :func:`~xaudit.fairness.model_decisions.model_decisions`. At most ``max_rows`` rows are explained.
    """
    from ..attribution.registry import build_methods
    from ..models import load_model
    from ..models.decisions import require_tabular

    settings = settings or AuditSettings()
    check_float("proxy_threshold", proxy_threshold, minimum=0.0, maximum=1.0)
    if not isinstance(max_rows, int) or max_rows < 1:
        raise ParameterError(f"The 'max_rows' parameter must be an int >= 1. Got {max_rows!r} instead.")
    build_methods([explain], {})[0].check_supported(adapter := require_tabular(
        load_model(model, device=choices.get("device", "cpu"))))
    made = model_decisions(model=model, data=data, progress=progress, adapter=adapter, **choices)
    return attribution_of(made, explain, groups, settings, proxy_threshold, max_rows, progress)


def attribution_of(made: ModelDecisions, explain: str, groups: Sequence[str], settings: AuditSettings,
                   proxy_threshold: float = DEFAULT_PROXY_THRESHOLD, max_rows: int = DEFAULT_MAX_ROWS,
                   progress: ProgressFn = silent) -> AttributionByGroup:
    """Attribution by group of the decisions ``made`` by ``explain`` (see module docstring)."""
    adapter = made.adapter
    codes, names, chosen = group_codes(made, groups)
    rows = sample_rows(len(made.inputs), max_rows, settings.seed)
    features, scores = column_attributions(adapter, made.inputs.iloc[rows], explain, seed=settings.seed,
                                           progress=progress)
    numeric = [c.name for c in adapter.schema.columns if c.kind == "numeric"]
    protected = [p for p in (adapter.audit or {}).get("protected") or () if p in features]
    associations = find_associations(made.inputs, numeric, features, protected)  # on every row of the table
    proxies = [f for f in dict.fromkeys(a.feature for a in associations if a.value >= proxy_threshold)]
    codes = codes[rows]
    members = [(g, codes == names.index(g)) for g in chosen]
    overall = np.any([m for _, m in members], axis=0)
    summary = summarise(scores, features, [*members, ("overall", overall)], protected, proxies, settings)
    return AttributionByGroup(
        adapter.name, explain, adapter.labels[adapter.favourable_index()], tuple(features), tuple(protected),
        associations, proxy_threshold, tuple(summary[:-1]), summary[-1],
        {**asdict(settings), "groups": list(chosen), "rows_explained": int(len(rows)),
         "rows_in_table": int(len(made.inputs)), "max_rows": max_rows},
        describe_source(made) | {"columns": made.columns.describe()})
