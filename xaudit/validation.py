"""Parameter checks with uniform messages, in the style of scikit-learn's validation.

``The 'n_steps' parameter must be an int >= 1. Got 0 instead.``
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from .errors import ParameterError, unknown_choice

T = TypeVar("T")


def check_int(name: str, value: object, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int within [minimum, maximum], else raise ParameterError."""
    bounds = []
    if minimum is not None:
        bounds.append(f">= {minimum}")
    if maximum is not None:
        bounds.append(f"<= {maximum}")
    wanted = "an int" + (" " + " and ".join(bounds) if bounds else "")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"The {name!r} parameter must be {wanted}. Got {value!r} instead.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ParameterError(f"The {name!r} parameter must be {wanted}. Got {value!r} instead.")
    return value


def check_float(
    name: str, value: object, *, minimum: float | None = None, maximum: float | None = None, exclusive_minimum: bool = False
) -> float:
    """Return ``value`` as a float within the bounds, else raise ParameterError."""
    op = ">" if exclusive_minimum else ">="
    bounds = []
    if minimum is not None:
        bounds.append(f"{op} {minimum}")
    if maximum is not None:
        bounds.append(f"<= {maximum}")
    wanted = "a number" + (" " + " and ".join(bounds) if bounds else "")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"The {name!r} parameter must be {wanted}. Got {value!r} instead.")
    value = float(value)
    too_low = minimum is not None and (value <= minimum if exclusive_minimum else value < minimum)
    if value != value or too_low or (maximum is not None and value > maximum):
        raise ParameterError(f"The {name!r} parameter must be {wanted}. Got {value!r} instead.")
    return value


def check_choice(what: str, value: T, choices: Iterable[T]) -> T:
    """Return ``value`` if it is one of ``choices``, else raise a ParameterError listing them."""
    choices = list(choices)
    if value not in choices:
        raise unknown_choice(what, value, [str(c) for c in choices])
    return value


def split_csv(value: str | None) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; None or empty -> []."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]
