"""The impact-ratio tables of a NYC Local Law 144 bias audit (6 RCNY §§ 5-300, 5-301, 5-303).

For sex categories, race/ethnicity categories and their intersections (§ 5-301), separately:

- the number of individuals in each category;
- the selection rate (share selected, for a tool that selects or classifies), or the scoring rate
  (share scoring above the median score of the full sample, § 5-300, for a tool that scores);
- the impact ratio: the category's rate over the rate of the most selected (highest scoring)
  category (§ 5-300);
- categories under 2% of the data may be excluded from the impact ratios, with the reason, their
  number of individuals and their rate still reported (§ 5-301); they are excluded here and marked;
- the number of individuals whose category is unknown (a missing value, or a value named in ``unknown``
  such as "Decline to state"), not in the calculations.

The published summary also needs the audit's date and the source of the data (§ 5-303): the
JSON carries ``source``; the sign-off block of the report carries the date.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ParameterError
from ..progress import ProgressFn, silent
from ..schema import JsonResult, check_envelope, envelope
from .groups import GROUP_SEPARATOR, Grouping
from .tables import Source, iter_batches, source_name

CITATION = ("NYC Local Law 144 of 2021; DCWP rules 6 RCNY § 5-300 (selection rate, scoring rate, impact ratio), "
            "§ 5-301 (bias audit: sex, race/ethnicity and intersectional categories, unknown category count, "
            "categories under 2% excludable with a justification), § 5-303 (published summary)")
EXCLUDE_SHARE = 0.02
EXCLUDED_REASON = ("{share:.1%} of the data, under 2%: excluded from the impact ratios (6 RCNY § 5-301 lets an "
                   "auditor exclude such a category); its number and rate are still reported")
DIMENSIONS = ("sex", "race/ethnicity", "intersectional")


@dataclass(frozen=True)
class Category:
    """One category's row of the table; ``impact_ratio`` is None when the category is excluded."""

    category: str
    n: int
    share: float
    rate: float
    impact_ratio: float | None
    excluded: str | None
    """Why the category is excluded from the impact ratios (None: included)."""

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "n": self.n, "share": self.share, "rate": _number(self.rate),
                "impact_ratio": None if self.impact_ratio is None else _number(self.impact_ratio),
                "excluded": self.excluded}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Category:
        return cls(data["category"], data["n"], data["share"], _float(data["rate"]),
                   None if data["impact_ratio"] is None else _float(data["impact_ratio"]), data["excluded"])


@dataclass(frozen=True)
class DimensionTable:
    """The table of one dimension (sex, race/ethnicity, intersectional)."""

    dimension: str
    columns: list[str]
    categories: list[Category]
    unknown: int
    """Individuals whose category in this dimension is unknown (left out of the calculations)."""
    highest: str | None
    """The category the impact ratios divide by."""

    def to_dict(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "columns": self.columns, "unknown": self.unknown,
                "highest": self.highest, "categories": [c.to_dict() for c in self.categories]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DimensionTable:
        return cls(data["dimension"], list(data["columns"]), [Category.from_dict(c) for c in data["categories"]],
                   data["unknown"], data["highest"])


@dataclass(frozen=True)
class LL144Audit(JsonResult):
    """The three tables of an LL144 bias audit and what they were computed from."""

    kind = "ll144_bias_audit"

    rate: str
    """``selection rate`` or ``scoring rate``."""
    median: float | None
    """The full sample's median score (scoring rate only)."""
    individuals: int
    tables: list[DimensionTable]
    source: dict[str, object]

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {"rate": self.rate, "median_score": self.median, "individuals": self.individuals,
                                      "citation": CITATION, "source": self.source,
                                      "tables": [t.to_dict() for t in self.tables]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LL144Audit:
        data = check_envelope(data, cls.kind)
        return cls(data["rate"], data["median_score"], data["individuals"],
                   [DimensionTable.from_dict(t) for t in data["tables"]], dict(data["source"]))

    def to_frame(self) -> pd.DataFrame:
        """One row per category: dimension, category, n, share, rate, impact ratio, excluded reason; then one
        ``unknown`` row per dimension."""
        rows = [{"dimension": t.dimension, "category": c.category, "n": c.n, "share": c.share, self.rate: c.rate,
                 "impact_ratio": c.impact_ratio, "excluded": c.excluded or ""} for t in self.tables
                for c in t.categories]
        rows += [{"dimension": t.dimension, "category": "(unknown)", "n": t.unknown, "share": None, self.rate: None,
                  "impact_ratio": None, "excluded": "unknown category: not in the calculations"} for t in self.tables]
        return pd.DataFrame(rows)


def ll144_audit(source: Source, *, sex_col: str, race_col: str, pred_col: str | None = None,
                score_col: str | None = None, positive: str | None = None, score_kind: str = "probability",
                unknown: Sequence[str] = (), progress: ProgressFn = silent,
                describe: dict[str, object] | None = None) -> LL144Audit:
    """The LL144 tables of ``source``: decisions in ``pred_col`` (0/1, or ``positive`` is selected) give
    selection rates; scores in ``score_col`` give scoring rates (share above the full sample's median).
    Values in ``unknown`` (e.g. "Unknown") count as an unknown category, like a missing value."""
    from .loading import PredictionColumns, _binary

    if (pred_col is None) == (score_col is None):
        raise ParameterError("the ll144 preset needs the decisions (`pred_col`) or the scores (`score_col`), one "
                             "of the two")
    if sex_col == race_col:
        raise ParameterError(f"the ll144 preset needs two columns, sex then race/ethnicity; {sex_col!r} was given "
                             "for both")
    columns = PredictionColumns("__none__", score=score_col, score_kind=score_kind) if score_col else None
    outcome = score_col or pred_col
    names: dict[str, dict[str, int]] = {sex_col: {}, race_col: {}}
    codes: dict[str, list[np.ndarray]] = {sex_col: [], race_col: []}
    values: list[np.ndarray] = []
    for batch in iter_batches(source, [sex_col, race_col, outcome], text_columns=[sex_col, race_col] + (
            [pred_col] if positive and pred_col else []), float_columns=[score_col] if score_col else [],
            progress=progress):
        for column in (sex_col, race_col):
            chunk_codes, chunk_names = Grouping(columns=(column,)).encode(batch)
            remap = np.array([names[column].setdefault(n, len(names[column])) for n in chunk_names] or [0])
            codes[column].append(np.where(chunk_codes >= 0, remap[np.maximum(chunk_codes, 0)], -1))
        if columns is not None:
            values.append(columns.probabilities(batch.column(score_col)))
        else:
            values.append(_binary(batch.column(pred_col), "prediction", pred_col, positive))
    outcome_values = np.concatenate(values) if values else np.zeros(0)
    if not len(outcome_values):
        raise DataError(f"{source_name(source)} holds no rows")
    sex, race = (_forget(np.concatenate(codes[c]), names[c], unknown) for c in (sex_col, race_col))
    known = ~np.isnan(outcome_values)
    median = float(np.median(outcome_values[known])) if score_col else None
    hit = outcome_values > median if score_col else outcome_values == 1
    sex_names, race_names = _ordered(names[sex_col]), _ordered(names[race_col])
    both = np.where((sex >= 0) & (race >= 0), sex * max(len(race_names), 1) + race, -1)
    both_names = [f"{s}{GROUP_SEPARATOR}{r}" for s in sex_names for r in race_names]
    tables = [_table("sex", [sex_col], sex[known], hit[known], sex_names),
              _table("race/ethnicity", [race_col], race[known], hit[known], race_names),
              _table("intersectional", [sex_col, race_col], both[known], hit[known], both_names)]
    return LL144Audit("scoring rate" if score_col else "selection rate", median, int(known.sum()), tables,
                      {"data": source_name(source), "sex_col": sex_col, "race_col": race_col,
                       "unknown_values": list(unknown),
                       ("score_col" if score_col else "pred_col"): outcome, **(describe or {})})


def _forget(codes: np.ndarray, names: dict[str, int], unknown: Sequence[str]) -> np.ndarray:
    """``codes`` with the values named in ``unknown`` turned into the missing code (-1)."""
    hidden = [names[value] for value in unknown if value in names]
    return np.where(np.isin(codes, hidden), -1, codes) if hidden else codes


def _ordered(names: dict[str, int]) -> list[str]:
    """Names by code."""
    return [name for name, _ in sorted(names.items(), key=lambda item: item[1])]


def _table(dimension: str, columns: list[str], codes: np.ndarray, hit: np.ndarray, names: Sequence[str]
           ) -> DimensionTable:
    """n, rate, share and impact ratio per category present; categories under 2% excluded from the ratios."""
    known = codes >= 0
    n = np.bincount(codes[known], minlength=len(names))
    hits = np.bincount(codes[known], weights=hit[known].astype(float), minlength=len(names))
    total = int(known.sum())
    present = [i for i in np.argsort(names, kind="stable") if n[i] > 0]
    if not present:
        raise DataError(f"no individual has a known {dimension} category ({', '.join(columns)} are all missing)")
    share = {i: n[i] / total for i in present}
    rate = {i: hits[i] / n[i] for i in present}
    included = [i for i in present if share[i] >= EXCLUDE_SHARE]
    top = max(included, key=lambda i: rate[i]) if included else None
    categories = []
    for i in present:
        excluded = None if i in included else EXCLUDED_REASON.format(share=share[i])
        ratio = None if excluded or top is None else (rate[i] / rate[top] if rate[top] > 0 else math.nan)
        categories.append(Category(str(names[i]), int(n[i]), float(share[i]), float(rate[i]), ratio, excluded))
    return DimensionTable(dimension, columns, categories, int((~known).sum()), None if top is None else str(names[top]))


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _float(value: float | None) -> float:
    return math.nan if value is None else float(value)


def run_ll144(*, model: str | None, data: Source | None, group_cols: Sequence[str], pred_col: str | None = None,
              score_col: str | None = None, positive: str | None = None, score_kind: str = "probability",
              unknown: Sequence[str] = (), device: str = "cpu", progress: ProgressFn = silent,
              **choices: Any) -> LL144Audit:
    """The LL144 tables of a predictions table (``data`` with ``pred_col`` or ``score_col``), or of tabular
    ``model``'s decisions on ``data`` (selection rates; ``choices`` go to ``plan_decisions``). ``group_cols``:
    the sex column, then the race/ethnicity column (a model card's groupings count as columns)."""
    if len(group_cols) != 2:
        raise ParameterError("the ll144 preset needs `group_cols` SEX,RACE: the sex column, then the "
                             f"race/ethnicity column (got {', '.join(group_cols) or 'none'})")
    sex_col, race_col = group_cols
    if model is None:
        if data is None:
            raise ParameterError("the ll144 preset needs `data` (a predictions table) or `model` with `data`")
        return ll144_audit(data, sex_col=sex_col, race_col=race_col, pred_col=pred_col, score_col=score_col,
                           positive=positive, score_kind=score_kind, unknown=unknown, progress=progress)
    from .model_decisions import describe_source, iter_model_decisions, plan_decisions

    used = [name for name, value in (("`pred_col`", pred_col), ("`score_col`", score_col)) if value is not None]
    if used:
        raise ParameterError(f"{used[0]} does not apply to `model` (the model makes the decisions)")
    plan = plan_decisions(model=model, data=data, group_cols=list(group_cols), device=device, positive=positive,
                          **choices)
    chunks = (made.table.assign(selected=made.decisions.favourable.astype(int))
              for made in iter_model_decisions(plan, progress=progress))
    return ll144_audit(chunks, sex_col=sex_col, race_col=race_col, pred_col="selected", unknown=unknown,
                       progress=progress, describe=describe_source(plan) | {"threshold": plan.threshold})
