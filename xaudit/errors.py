"""One exception hierarchy for the whole toolkit.

The CLI maps these to exit codes: ``ParameterError`` -> 2 (usage),
``DataError`` / ``ModelError`` -> 3.
"""

from __future__ import annotations

from collections.abc import Iterable


class XauditError(Exception):
    """Base class of every error xaudit raises on purpose."""

    exit_code = 3


class ParameterError(XauditError, ValueError):
    """A bad option or argument value (usage error)."""

    exit_code = 2


class DataError(XauditError):
    """Input data that is missing, unreadable or malformed."""


class ModelError(XauditError):
    """A model or checkpoint that is missing, unsafe, corrupt or unsuitable."""


def unknown_choice(what: str, value: object, choices: Iterable[str]) -> ParameterError:
    """``unknown method 'flw'; choose one of: attention, blankout, ...``"""
    listed = ", ".join(sorted(choices))
    return ParameterError(f"unknown {what} {value!r}; choose one of: {listed}")
