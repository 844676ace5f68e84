"""Tables that fit the terminal: value columns stacked into as many tables as the width needs.

Rich shrinks a table wider than the console by cutting cells (``Female/…``, ``selecti…``);
``Stacked`` instead measures the table it would print and, while its narrowest layout is still
wider than the console, splits the value columns into more tables printed one under the other,
each repeating the key columns (the group names), so no name or header is ever cut.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table

UNBOUNDED = 100_000
Build = Callable[[Sequence[str]], Table]
"""Builds the table with the given value columns (the key columns always)."""


class Stacked:
    """``build(columns)`` printed whole when it fits, else in the fewest stacked parts that do."""

    def __init__(self, build: Build, columns: Sequence[str]) -> None:
        self.build, self.columns = build, list(columns)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.tables(console, options)

    def tables(self, console: Console, options: ConsoleOptions) -> list[Table]:
        unbounded = options.update_width(UNBOUNDED)  # Measurement.get clamps to the width it is given
        parts = 1
        while True:
            size = max(-(-len(self.columns) // parts), 1)
            tables = [self.build(self.columns[start:start + size]) for start in range(0, len(self.columns), size)]
            if size == 1 or all(Measurement.get(console, unbounded, table).minimum <= options.max_width
                                for table in tables):
                return tables
            parts += 1
