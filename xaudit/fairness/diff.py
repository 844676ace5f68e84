"""Audit to audit: what changed between two group-fairness audits (``xaudit diff OLD.json NEW.json``).

Reads the JSON of ``xaudit fairness`` (a group audit, or an audit of a model's decisions) or of
``xaudit report`` (each of its group-fairness audits, paired by title). For each pair:

- metrics: the summary values (``FairnessResult.summary``) and, per group, each rate with its
  interval and each criterion's impact ratio and difference to the reference with theirs: old,
  new and the change;
- findings: below four-fifths, a significant difference from the reference, too small to judge,
  each as new, resolved or unchanged;
- fingerprints: the data's and the model's SHA-256 (same, changed, or not recorded).

Two audits compare only when they group the same way (the same group columns or definitions);
anything else, or a JSON of another kind or schema version, is a DataError.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError
from ..schema import SCHEMA_VERSION, check_envelope, envelope
from .metrics import RATES
from .result import SUMMARY_NAMES, FairnessResult, Interval

KINDS = ("group_fairness", "model_fairness_audit", "audit_report")
CHANGES = ("drop", "rise")
CHANGE_NAMES = tuple(f"{name}_{change}" for name in SUMMARY_NAMES for change in CHANGES)
"""``--fail-on`` names with ``--baseline``: ``X_drop`` = old − new, ``X_rise`` = new − old."""


def read_audits(path: str | Path) -> dict[str, FairnessResult]:
    """The group-fairness audits in a JSON file, by title (one, titled ``audit``, for a single audit)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"file not found: {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"cannot read {path} as JSON: {exc}") from None
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in KINDS:
        raise DataError(f"{path} is not an xaudit fairness audit (kind {kind!r}; expected one of "
                        f"{', '.join(KINDS)})")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise DataError(f"{path} has schema_version {data.get('schema_version')!r}; this xaudit reads "
                        f"{SCHEMA_VERSION}: rerun the audit")
    if kind == "group_fairness":
        return {"audit": FairnessResult.from_dict(data)}
    if kind == "model_fairness_audit":
        return {"audit": FairnessResult.from_dict(check_envelope(data, kind)["group_fairness"])}
    return {audit["title"]: FairnessResult.from_dict(audit["result"]) for audit in data.get("group_fairness") or []}


@dataclass(frozen=True)
class MetricChange:
    """One value in both audits: ``old``, ``new`` (NaN when absent or undefined) and their intervals."""

    metric: str
    group: str | None
    old: float
    new: float
    old_interval: Interval | None = None
    new_interval: Interval | None = None

    @property
    def change(self) -> float:
        return self.new - self.old

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "group": self.group, "old": _number(self.old), "new": _number(self.new),
                "change": _number(self.change), "old_interval": _pair(self.old_interval),
                "new_interval": _pair(self.new_interval)}


@dataclass(frozen=True)
class AuditChange:
    """What changed between two audits of the same decisions."""

    title: str
    summary: list[MetricChange]
    groups: list[MetricChange]
    findings: dict[str, list[str]]
    """``new``, ``resolved`` and ``unchanged`` findings."""
    fingerprints: dict[str, dict[str, str | None]]
    """``data`` and ``model``: ``old``, ``new`` SHA-256 and ``status`` (same, changed, not recorded)."""
    references: tuple[str, str]

    def values(self) -> dict[str, float]:
        """``X_drop`` (old − new) and ``X_rise`` (new − old) for each summary value, for ``--fail-on``."""
        values: dict[str, float] = {}
        for change in self.summary:
            values |= {f"{change.metric}_drop": -change.change, f"{change.metric}_rise": change.change}
        return values

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "references": list(self.references), "fingerprints": self.fingerprints,
                "findings": self.findings, "summary": [c.to_dict() for c in self.summary],
                "groups": [c.to_dict() for c in self.groups]}


@dataclass(frozen=True)
class AuditDiff:
    """Changes per pair of audits, and the audits only one side holds (a report: written, not read back)."""

    kind = "fairness_diff"

    old: str
    new: str
    changes: list[AuditChange]
    only_old: list[str]
    only_new: list[str]

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {"old": self.old, "new": self.new, "audits": [c.to_dict() for c in self.changes],
                                      "only_in_old": self.only_old, "only_in_new": self.only_new}

    def to_frame(self) -> pd.DataFrame:
        """One row per metric (summary and per group) of each pair of audits."""
        rows = [{"audit": c.title, "level": level, **m.to_dict()} for c in self.changes
                for level, changes in (("summary", c.summary), ("group", c.groups)) for m in changes]
        frame = pd.DataFrame(rows)
        for side in ("old", "new"):
            if f"{side}_interval" in frame:
                bounds = frame.pop(f"{side}_interval")
                frame[f"{side}_low"] = [b[0] if b else None for b in bounds]
                frame[f"{side}_high"] = [b[1] if b else None for b in bounds]
        return frame

    def values(self) -> dict[str, float]:
        """The ``--fail-on`` values of the first pair (the one pair when a single audit is compared)."""
        return self.changes[0].values() if self.changes else {}


def diff_audits(old: dict[str, FairnessResult], new: dict[str, FairnessResult], old_name: str = "old",
                new_name: str = "new") -> AuditDiff:
    """Pair audits by title (a single audit on each side pairs whatever its title) and compare each pair."""
    if len(old) == 1 and len(new) == 1:
        pairs = [(next(iter(new)), next(iter(old.values())), next(iter(new.values())))]
    else:
        pairs = [(title, old[title], new[title]) for title in new if title in old]
    if not pairs:
        raise DataError(f"{old_name} and {new_name} share no audit to compare (titles: "
                        f"{', '.join(old) or 'none'} against {', '.join(new) or 'none'})")
    changes = [compare(title, before, after) for title, before, after in pairs]
    paired = {title for title, _, _ in pairs}
    return AuditDiff(old_name, new_name, changes, [t for t in old if t not in paired and len(old) > 1],
                     [t for t in new if t not in paired and len(new) > 1])


def check_comparable(old: FairnessResult, new: FairnessResult, title: str = "the audit") -> None:
    """DataError unless both audits group the same way and read the same label (another data set)."""
    for key, what in (("group_cols", "group columns"), ("definitions", "group definitions"), ("label", "label column")):
        before, after = (result.source.get("columns", {}).get(key) for result in (old, new))
        if before != after:
            raise DataError(f"the baseline of {title} has {what} {before!r}, this audit {after!r}: they audit "
                            "another data set or grouping and cannot be compared")


def compare(title: str, old: FairnessResult, new: FairnessResult) -> AuditChange:
    """The changes between ``old`` and ``new`` (see the module docstring)."""
    check_comparable(old, new, title)
    before, after = old.summary(), new.summary()
    summary = [MetricChange(name, None, before[name], after[name]) for name in SUMMARY_NAMES]
    groups = []
    names = [g.group for g in new.groups] + [g.group for g in old.groups if g.group not in {r.group for r in new.groups}]
    for name in names:
        a, b = _group(old, name), _group(new, name)
        for rate in RATES:
            groups.append(MetricChange(rate, name, a.rates[rate] if a else math.nan, b.rates[rate] if b else math.nan,
                                       (a.intervals or {}).get(rate) if a else None,
                                       (b.intervals or {}).get(rate) if b else None))
        for key in new.parity:
            p, q = old.parity.get(key), new.parity[key]
            for field, intervals in (("impact_ratio", "impact_ratio_interval"),
                                     ("difference_to_reference", "difference_to_reference_interval")):
                groups.append(MetricChange(
                    f"{key}_{field}", name, getattr(p, field).get(name, math.nan) if p else math.nan,
                    getattr(q, field).get(name, math.nan), getattr(p, intervals).get(name) if p else None,
                    getattr(q, intervals).get(name)))
    found_old, found_new = findings(old), findings(new)
    return AuditChange(title, summary, groups,
                       {"new": [f for f in found_new if f not in found_old],
                        "resolved": [f for f in found_old if f not in found_new],
                        "unchanged": [f for f in found_new if f in found_old]},
                       {"data": _fingerprint(old, new, "data_sha256"), "model": _fingerprint(old, new, "model_sha256")},
                       (old.reference_group, new.reference_group))


def findings(result: FairnessResult) -> list[str]:
    """The audit's flags as comparable sentences (no numbers, so that a flag that stays is unchanged)."""
    found = []
    for row in result.groups:
        if row.too_small:
            found.append(f"{row.group}: too small to judge")
        for parity in result.parity.values():
            if row.group in (parity.below_four_fifths or []):
                found.append(f"{row.group}: {RATES[parity.rate].title} below four-fifths of the reference's")
        for rate, test in (row.tests or {}).items():
            if test is not None and test.significant:
                found.append(f"{row.group}: {RATES[rate].title} differs from the reference's (Holm)")
    return found


def _group(result: FairnessResult, name: str):
    return next((row for row in result.groups if row.group == name), None)


def _fingerprint(old: FairnessResult, new: FairnessResult, key: str) -> dict[str, str | None]:
    a, b = old.source.get(key), new.source.get(key)
    status = "not recorded" if a is None or b is None else "same" if a == b else "changed"
    return {"old": a, "new": b, "status": status}


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _pair(interval: Interval | None) -> list[float | None] | None:
    return None if interval is None else [_number(interval[0]), _number(interval[1])]
