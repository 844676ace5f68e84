"""Parameter checks with uniform messages, in the style of scikit-learn's validation.

``The 'n_steps' parameter must be an int >= 1. Got 0 instead.``
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


def split_names(value: str | None) -> list[str]:
    """Names separated by commas, where a name in double quotes may hold commas:
    ``'"Smith, J",Doe'`` -> ``["Smith, J", "Doe"]`` (CSV quoting); None or empty -> []."""
    import csv

    if not value:
        return []
    return [part.strip() for part in next(csv.reader([value], skipinitialspace=True)) if part.strip()]


def split_csv(value: str | None) -> list[str]:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; None or empty -> []."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class Param:
    """One declared parameter of a method or measure (cf. scikit-learn's ``_parameter_constraints``).

    ``kind`` is ``int``, ``float`` or ``str``; ``optional`` admits None (the method's own
    default, such as the adapter's baseline). ``flag`` is the command-line spelling (default
    ``--name-with-dashes``); ``cli=False`` keeps a tuning knob off the command line.
    """

    name: str
    kind: type
    default: object
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[object, ...] = ()
    optional: bool = False
    flag: str | None = None
    cli: bool = True
    metavar: str | None = None
    """How ``--help`` shows the value (default: the choices, else the type)."""

    @property
    def option(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    def check(self, value: object) -> object:
        """``value`` if it satisfies the declaration, else ParameterError in the uniform wording."""
        if value is None and self.optional:
            return None
        if self.choices:
            if value not in self.choices:
                listed = ", ".join(repr(c) for c in self.choices)
                raise ParameterError(f"The {self.name!r} parameter must be one of {listed}. Got {value!r} instead.")
            return value
        if self.kind is int:
            return check_int(self.name, value, minimum=_int_or_none(self.minimum), maximum=_int_or_none(self.maximum))
        if self.kind is float:
            return check_float(self.name, value, minimum=self.minimum, maximum=self.maximum)
        if not isinstance(value, self.kind):
            raise ParameterError(f"The {self.name!r} parameter must be a {self.kind.__name__}. Got {value!r} instead.")
        return value


def check_params(declared: Sequence[Param], given: Mapping[str, object], owner: str) -> dict[str, object]:
    """Every declared parameter's value (``given`` or its default), each checked; unknown names refused."""
    names = {p.name for p in declared}
    unknown = sorted(set(given) - names)
    if unknown:
        listed = ", ".join(sorted(names)) or "none"
        raise ParameterError(f"{owner} has no parameter {unknown[0]!r}; its parameters: {listed}")
    return {p.name: p.check(given.get(p.name, p.default)) for p in declared}


def _int_or_none(value: float | None) -> int | None:
    return None if value is None else int(value)
