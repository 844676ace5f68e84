"""CI gates: ``--fail-on 'statistical_parity_ratio<0.8'`` fails a run when the condition holds.

Conditions name a value of a result's summary (e.g. ``FairnessResult.summary()``), an
operator (``<``, ``<=``, ``>``, ``>=``) and a number. Several may be given, repeated or
comma separated. An undefined value breaches its condition: it cannot be shown to pass.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import ParameterError, unknown_choice
from ..validation import split_csv

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
_CONDITION = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*(\S+)$")


@dataclass(frozen=True)
class Condition:
    """``name op limit``: breached when it holds."""

    name: str
    op: str
    limit: float

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.limit:g}"


def parse_conditions(texts: Sequence[str], names: Sequence[str]) -> list[Condition]:
    """Conditions from ``--fail-on`` values; unknown names and bad syntax are ParameterErrors."""
    conditions = []
    for text in (part for value in texts for part in split_csv(value)):
        match = _CONDITION.match(text.strip())
        limit = _number(match.group(3)) if match else None
        if match is None or limit is None:
            raise ParameterError(f"cannot read the condition {text!r}; write NAME<NUMBER (or <=, >, >=), "
                                 "e.g. 'statistical_parity_ratio<0.8'")
        if match.group(1) not in names:
            raise unknown_choice("metric", match.group(1), names)
        conditions.append(Condition(match.group(1), match.group(2), limit))
    return conditions


def breaches(conditions: Sequence[Condition], values: Mapping[str, float]) -> list[str]:
    """One message per breached condition, e.g. ``statistical_parity_ratio = 0.62 (< 0.8)``."""
    messages = []
    for condition in conditions:
        value = values[condition.name]
        if value is None or math.isnan(value):
            messages.append(f"{condition.name} is undefined, so {condition} cannot be shown to pass")
        elif OPERATORS[condition.op](value, condition.limit):
            messages.append(f"{condition.name} = {value:.4g} ({condition.op} {condition.limit:g})")
    return messages


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
