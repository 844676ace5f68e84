"""Counterfactual flips: change only a protected attribute, rerun the model, count changed decisions per group.

For group g and attribute a, each row's decision on the original row is paired with its
decision on the copy where only a is changed (a male applicant's ``personal_status`` made
the female counterpart, ``Male`` made ``Female``). Per group: the paired 2×2 table, the
flip rate (share of the group's rows whose decision changes, DESIGN.md §4) with a percentile
bootstrap interval (the paired tables resampled as counts, ``bootstrap.resample_cells``),
the mean change of the favourable score, and McNemar's test of the paired decisions
(McNemar 1947; statsmodels ``mcnemar``: exact binomial when fewer than 25 rows flip, else
the chi-square with continuity correction). A model that ignores a has no flips.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..progress import ProgressFn, silent
from ..schema import JsonResult, check_envelope, envelope
from .audit import AuditSettings
from .identity_terms import TermList, term_list
from .bootstrap import percentile_interval, resample_cells
from .model_decisions import (DecisionPlan, ModelDecisions, chosen_groups, describe_source, iter_model_decisions,
                              plan_decisions, row_groups)

PAIRED_CELLS = ("stay_favourable", "to_unfavourable", "to_favourable", "stay_unfavourable")
"""McNemar's table read row by row: original decision (favourable, unfavourable) × counterfactual."""
EXACT_BELOW = 25


@dataclass(frozen=True)
class FlipRow:
    """One group's paired decisions: counts, flip rate (interval), mean score change, McNemar's p."""

    group: str
    n: int
    counts: dict[str, int]
    flip_rate: float
    flip_rate_interval: tuple[float, float] | None
    mean_score_change: float
    mcnemar_p: float
    test: str

    @property
    def flipped(self) -> int:
        return self.counts["to_unfavourable"] + self.counts["to_favourable"]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["flipped"] = self.flipped
        data["flip_rate_interval"] = None if self.flip_rate_interval is None else list(self.flip_rate_interval)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlipRow:
        interval = data["flip_rate_interval"]
        return cls(data["group"], data["n"], dict(data["counts"]), data["flip_rate"],
                   None if interval is None else tuple(interval), data["mean_score_change"], data["mcnemar_p"],
                   data["test"])


@dataclass(frozen=True)
class CounterfactualResult(JsonResult):
    """Flips per group when only ``attribute`` is changed by ``swap`` (original value -> counterfactual)."""

    kind = "counterfactual_flips"

    model: str
    attribute: str
    swap: dict[str, str]
    threshold: float
    groups: tuple[FlipRow, ...]
    overall: FlipRow
    settings: dict[str, object]
    source: dict[str, object]
    grouping: str | None = None
    """The card grouping the user named (``sex``) when ``attribute`` is the input it is derived from."""
    terms: dict[str, Any] | None = None
    """For a text classifier: the identity-term list swapped in the text column (name, source, pairs)."""

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {
            "model": self.model, "attribute": self.attribute, "grouping": self.grouping, "terms": self.terms,
            "swap": self.swap, "threshold": self.threshold,
            "settings": self.settings, "source": self.source, "groups": [row.to_dict() for row in self.groups],
            "overall": self.overall.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CounterfactualResult:
        data = check_envelope(data, cls.kind)
        return cls(data["model"], data["attribute"], dict(data["swap"]), data["threshold"],
                   tuple(FlipRow.from_dict(row) for row in data["groups"]), FlipRow.from_dict(data["overall"]),
                   dict(data["settings"]), dict(data["source"]), data.get("grouping"), data.get("terms"))

    def to_frame(self) -> pd.DataFrame:
        """One row per group and one for ``overall``."""
        rows = []
        for row in (*self.groups, self.overall):
            low, high = row.flip_rate_interval or (None, None)
            rows.append({"attribute": self.attribute, "group": row.group, "n": row.n, **row.counts,
                         "flipped": row.flipped, "flip_rate": row.flip_rate, "flip_rate_low": low,
                         "flip_rate_high": high, "mean_score_change": row.mean_score_change,
                         "mcnemar_p": row.mcnemar_p, "test": row.test})
        return pd.DataFrame(rows)


def swap_for(adapter: Any, attribute: str, declared: Mapping[str, Mapping[str, str]],
             given: Mapping[str, str] | None = None) -> dict[str, str]:
    """The value each category of ``attribute`` is changed to: ``given``, else the card's, else the
    swap of a two-category column. Every category must be mapped to another category."""
    columns = {c.name: c for c in adapter.schema.columns}
    categorical = sorted(name for name, c in columns.items() if c.kind == "categorical")
    if attribute not in columns or columns[attribute].kind != "categorical":
        derived = sorted(name for name, rule in (adapter.audit.get("groupings") or {}).items()
                         if "map" in rule and rule.get("column") in categorical)
        also = f" (or a grouping read from one: {', '.join(derived)})" if derived else ""
        raise ParameterError(f"`counterfactual` must name a categorical input of model {adapter.name!r}; "
                             f"choose one of: {', '.join(categorical)}{also}")
    categories = columns[attribute].categories
    swap = dict(given or declared.get(attribute) or {})
    if not swap and len(categories) == 2:
        swap = {categories[0]: categories[1], categories[1]: categories[0]}
    unmapped = [c for c in categories if c not in swap]
    if unmapped:
        raise ParameterError(f"`counterfactual` needs a value for every category of {attribute!r}; none for "
                             f"{unmapped[0]!r} (write ATTR=FROM:TO,FROM:TO over: {', '.join(categories)})")
    bad = [v for k, v in swap.items() if v not in categories or v == k or k not in categories]
    if bad:
        raise ParameterError(f"`counterfactual` maps {attribute!r} to {bad[0]!r}: not another of its categories "
                             f"({', '.join(categories)})")
    return swap


def parse_counterfactual(text: str) -> tuple[str, dict[str, str] | None]:
    """``personal_status`` (the card's or a two-way swap) or ``personal_status=A91:A92,A92:A91``."""
    attribute, sep, body = text.partition("=")
    if not sep:
        return attribute.strip(), None
    pairs = [part.split(":") for part in body.split(",") if part.strip()]
    if not attribute.strip() or not pairs or any(len(p) != 2 or not all(x.strip() for x in p) for p in pairs):
        raise ParameterError(f"cannot read `counterfactual` {text!r}; write ATTR or ATTR=FROM:TO,FROM:TO")
    return attribute.strip(), {a.strip(): b.strip() for a, b in pairs}


def mcnemar_test(to_unfavourable: int, to_favourable: int) -> tuple[float, str]:
    """McNemar's p-value for the discordant pairs (statsmodels), and which form was used."""
    from statsmodels.stats.contingency_tables import mcnemar

    exact = to_unfavourable + to_favourable < EXACT_BELOW
    table = [[0, to_unfavourable], [to_favourable, 0]]  # concordant cells do not enter the test
    result = mcnemar(table, exact=exact, correction=True)
    return float(result.pvalue), "exact binomial" if exact else "chi-square, continuity-corrected"


def flip_rows(names: Sequence[str], cells: np.ndarray, score_change: np.ndarray, settings: AuditSettings,
              ) -> tuple[tuple[FlipRow, ...], FlipRow]:
    """Per group and overall from paired cells ``(G, 4)`` and per-group summed score changes ``(G,)``."""
    def flip_rate(c: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return (c[..., 1] + c[..., 2]) / c.sum(axis=-1)

    bounds = None
    if settings.n_boot:
        samples = resample_cells(cells, settings.n_boot, settings.seed)
        per_group = percentile_interval(flip_rate(samples), settings.confidence)
        overall = percentile_interval(flip_rate(samples.sum(axis=1)), settings.confidence)
        bounds = (per_group, overall)

    def row(name: str, c: np.ndarray, change: float, interval: Any) -> FlipRow:
        p, test = mcnemar_test(int(c[1]), int(c[2]))
        n = int(c.sum())
        return FlipRow(name, n, dict(zip(PAIRED_CELLS, map(int, c))), float(flip_rate(c)),
                       None if interval is None else (float(interval[0]), float(interval[1])), change / n, p, test)

    groups = tuple(row(name, cells[g], float(score_change[g]),
                       None if bounds is None else (bounds[0][0][g], bounds[0][1][g]))
                   for g, name in enumerate(names))
    overall = row("overall", cells.sum(axis=0), float(score_change.sum()), None if bounds is None else bounds[1])
    return groups, overall


def run_counterfactual(
    *, model: str, data: str | Path | pd.DataFrame | None, counterfactual: str, groups: Sequence[str] = (),
    settings: AuditSettings | None = None, progress: ProgressFn = silent, **choices: Any,
) -> CounterfactualResult:
    """Flips per group when only the attribute ``counterfactual`` names is changed (see module docstring).

    ``choices`` (label_col, positive, threshold, group_cols, definitions, device) are those
    of :func:`~xaudit.fairness.model_decisions.plan_decisions`; groups come from the card by default.
    The table is read a chunk of rows at a time.
    """
    decision_plan = plan_decisions(model=model, data=data, **choices)
    plan = counterfactual_plan(decision_plan, counterfactual)  # before reading data
    tally = FlipTally()
    for made in iter_model_decisions(decision_plan, progress=progress):
        tally.add(made, plan, progress)
    return tally.result(decision_plan, plan, groups, settings or AuditSettings())


@dataclass(frozen=True)
class CounterfactualPlan:
    """What a counterfactual changes: the input ``attribute``, by ``swap``; ``grouping``: the card grouping
    (e.g. ``sex``) the user named, when it is derived from that input; ``terms``: for a text classifier,
    the identity terms swapped inside the text column."""

    attribute: str
    swap: dict[str, str]
    grouping: str | None = None
    terms: TermList | None = None

    def apply(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` with the change made: categories mapped, or identity terms swapped in the texts."""
        values = rows[self.attribute].astype(str)
        return rows.assign(**{self.attribute: values.map(self.terms.swap if self.terms else self.swap)})


def counterfactual_plan(decision_plan: DecisionPlan, text: str) -> CounterfactualPlan:
    """Read ``ATTR`` or ``ATTR=FROM:TO,...``; ``ATTR`` may be an input column or a card grouping mapped from
    a categorical input (German credit's ``sex``, read from ``personal_status``). For a text classifier,
    ``text`` names an identity-term list (:data:`~xaudit.fairness.identity_terms.TERM_LISTS`)."""
    if decision_plan.text is not None:
        terms = term_list(text)
        return CounterfactualPlan(decision_plan.text.column, terms.mapping, None, terms)
    adapter = decision_plan.adapter
    attribute, given = parse_counterfactual(text)
    grouping = (adapter.audit.get("groupings") or {}).get(attribute)
    columns = {c.name for c in adapter.schema.columns}
    if attribute not in columns and grouping and "map" in grouping and grouping.get("column") in columns:
        column = grouping["column"]
        return CounterfactualPlan(column, swap_for(adapter, column, adapter.audit.get("counterfactuals") or {},
                                                   given), attribute)
    return CounterfactualPlan(attribute, swap_for(adapter, attribute, adapter.audit.get("counterfactuals") or {},
                                                  given))


@dataclass
class FlipTally:
    """Paired decision counts (``PAIRED_CELLS``) and summed score changes per group, added chunk by chunk."""

    cells: dict[str, np.ndarray] = field(default_factory=dict)
    score_change: dict[str, float] = field(default_factory=dict)

    def add(self, made: ModelDecisions, plan: CounterfactualPlan, progress: ProgressFn = silent) -> None:
        """Rerun the model on the rows of ``made`` with ``plan``'s change and count per group."""
        from ..models.decisions import favourable_scores

        changed_scores = favourable_scores(made.adapter, plan.apply(made.inputs), progress=progress,
                                           first_row=int(made.decisions.rows[0]), text=made.text)
        before, after = made.decisions.favourable, changed_scores >= made.decisions.threshold
        cell = np.where(before, np.where(after, 0, 1), np.where(after, 2, 3))
        change = changed_scores - made.decisions.scores
        codes, names = row_groups(made)
        for code in np.unique(codes[codes >= 0]):
            members, name = codes == code, names[code]
            self.cells[name] = self.cells.get(name, np.zeros(4, np.int64)) + np.bincount(cell[members], minlength=4)
            self.score_change[name] = self.score_change.get(name, 0.0) + float(change[members].sum())

    def result(self, decision_plan: DecisionPlan, plan: CounterfactualPlan, groups: Sequence[str],
               settings: AuditSettings) -> CounterfactualResult:
        """Flips per chosen group (``groups``, else all present) and overall."""
        chosen = chosen_groups(decision_plan.grouping, list(self.cells), groups)
        rows, overall = flip_rows(chosen, np.stack([self.cells[g] for g in chosen]),
                                  np.array([self.score_change[g] for g in chosen]), settings)
        return CounterfactualResult(decision_plan.adapter.name, plan.attribute, plan.swap, decision_plan.threshold,
                                    rows, overall, {**asdict(settings), "groups": list(chosen)},
                                    describe_source(decision_plan) | {"columns": decision_plan.columns.describe()},
                                    plan.grouping, plan.terms.to_dict() if plan.terms else None)
