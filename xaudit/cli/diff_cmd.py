"""``xaudit diff OLD.json NEW.json``: what changed between two fairness audits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import emit_formatted, handle_errors
from .options import Format, Output, OutputFormat, command


def register(app: typer.Typer) -> None:
    command(app, "diff", diff)


@handle_errors
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier audit's JSON (xaudit fairness or xaudit report).",
                                        dir_okay=False)],
    new: Annotated[Path, typer.Argument(help="The later audit's JSON.", dir_okay=False)],
    format: OutputFormat = Format.table,
    output: Output = None,
) -> None:
    """What changed between two fairness audits: metrics with their intervals, findings new / resolved /
    unchanged, and whether the data and the model are the same (SHA-256).

    \b
    Example: xaudit diff audit-2025.json audit-2026.json
    """
    from ..fairness.diff import diff_audits, read_audits
    from ..render.diff_terminal import diff_tables

    result = diff_audits(read_audits(old), read_audits(new), str(old), str(new))
    emit_formatted(format, output, payload=result.to_dict, frame=result.to_frame, tables=lambda: diff_tables(result))
