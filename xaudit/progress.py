"""Progress reporting for long work: library code calls a plain function, the CLI draws bars."""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[str, int, int], None]
"""``progress(description, done, total)``; called as work advances."""


def silent(description: str, done: int, total: int) -> None:
    """The default reporter: says nothing."""
