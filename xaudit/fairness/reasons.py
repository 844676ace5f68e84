"""Reasons for a refused applicant: the columns that lowered the favourable score most.

Stated as adverse-action reasons are (the principal reasons for a credit refusal; US ECOA,
Regulation B, 12 CFR 1002.9): per refused row, the columns with the most negative
attribution toward the favourable class, e.g. integrated gradients from the typical
applicant (Sundararajan, Taly & Yan 2017), so a reason reads "this value, compared with the
typical applicant's, lowered the score by this much". Columns that raised the score are not reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..schema import JsonResult, check_envelope, envelope

DEFAULT_REASONS = 4


@dataclass(frozen=True)
class Reason:
    """One column that lowered the score: its value in the row and its (negative) attribution."""

    feature: str
    value: str
    attribution: float


@dataclass(frozen=True)
class Refusal:
    """A refused row (its position in the table), its favourable score and its reasons, strongest first."""

    row: int
    score: float
    reasons: tuple[Reason, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Refusal:
        return cls(data["row"], data["score"], tuple(Reason(**r) for r in data["reasons"]))


@dataclass(frozen=True)
class DecisionReasons(JsonResult):
    """Reasons for refused rows of ``model`` by ``method`` (see module docstring)."""

    kind = "decision_reasons"

    model: str
    method: str
    threshold: float
    refusals: tuple[Refusal, ...]

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {"model": self.model, "method": self.method, "threshold": self.threshold,
                                      "refusals": [asdict(r) for r in self.refusals]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DecisionReasons:
        data = check_envelope(data, cls.kind)
        return cls(data["model"], data["method"], data["threshold"],
                   tuple(Refusal.from_dict(r) for r in data["refusals"]))

    def to_frame(self) -> pd.DataFrame:
        """One row per refusal and reason (rank 1 = lowered the score most)."""
        return pd.DataFrame([{"row": r.row, "score": r.score, "rank": rank, **asdict(reason)}
                             for r in self.refusals for rank, reason in enumerate(r.reasons, 1)])


def reasons_from_scores(features: Sequence[str], scores: np.ndarray, top: int = DEFAULT_REASONS,
                        ) -> list[list[tuple[str, float]]]:
    """Per row of ``scores`` ``(N, F)``: up to ``top`` (column, attribution) with negative attribution, most
    negative first (ties in column order)."""
    if not isinstance(top, int) or top < 1:
        raise ParameterError(f"The 'top' parameter must be an int >= 1. Got {top!r} instead.")
    out = []
    for row in np.asarray(scores, dtype=np.float64):
        order = np.argsort(row, kind="stable")
        out.append([(features[i], float(row[i])) for i in order[:top] if row[i] < 0])
    return out


def refusal_reasons(adapter: Any, inputs: pd.DataFrame, scores: np.ndarray, threshold: float, *,
                    method: str = "ig", n: int = 5, top: int = DEFAULT_REASONS, seed: int = 0,
                    row_ids: Sequence[int] | None = None) -> DecisionReasons:
    """Reasons for the first ``n`` refused rows (favourable ``scores`` below ``threshold``) of ``inputs``;
    ``row_ids``: each row's number in its table (default: its position in ``inputs``)."""
    from .attribution_groups import column_attributions

    refused = np.flatnonzero(np.asarray(scores) < threshold)[:n]
    if len(refused) == 0:
        return DecisionReasons(adapter.name, method, threshold, ())
    ids = np.arange(len(inputs)) if row_ids is None else np.asarray(row_ids)
    features, attributions = column_attributions(adapter, inputs.iloc[refused], method, seed=seed)
    refusals = tuple(
        Refusal(int(ids[row]), float(scores[row]),
                tuple(Reason(f, str(inputs.iloc[row][f]), a) for f, a in reasons))
        for row, reasons in zip(refused, reasons_from_scores(features, attributions, top)))
    return DecisionReasons(adapter.name, method, threshold, refusals)
