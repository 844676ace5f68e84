"""Rich tables of an AuditDiff: fingerprints, findings new / resolved / unchanged, changed metrics."""

from __future__ import annotations

import math

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from ..fairness.diff import AuditChange, AuditDiff
from .fairness_terminal import number

SHOWN_CHANGE = 0.005
"""Per-group values that moved less than this are left out of the terminal table (all are in JSON and CSV)."""


def diff_tables(diff: AuditDiff) -> list[RenderableType]:
    out: list[RenderableType] = []
    for change in diff.changes:
        out += audit_change_tables(change)
    for side, titles in (("only in the old audit", diff.only_old), ("only in the new audit", diff.only_new)):
        if titles:
            out.append(Text(f"Audits {side}: {', '.join(titles)}", style="yellow"))
    return out


def audit_change_tables(change: AuditChange) -> list[RenderableType]:
    """What changed in one pair of audits."""
    lines = Text(f"{change.title}\n", style="bold")
    for what, record in change.fingerprints.items():
        lines.append(f"{what}: {record['status']}" + (f" ({_short(record['old'])} → {_short(record['new'])})"
                                                     if record["status"] == "changed" else "") + "\n",
                     style="yellow" if record["status"] == "changed" else "")
    if change.references[0] != change.references[1]:
        lines.append(f"reference group: {change.references[0]} → {change.references[1]}\n", style="yellow")
    for kind, style in (("new", "bold red"), ("resolved", "green"), ("unchanged", "dim")):
        for finding in change.findings[kind]:
            lines.append(f"{kind}: {finding}\n", style=style)
    summary = _table("Summary values (old → new)", ("metric", "old", "new", "change"))
    for m in change.summary:
        summary.add_row(m.metric, number(m.old), number(m.new), _signed(m.change))
    moved = [m for m in change.groups if math.isnan(m.change) or abs(m.change) >= SHOWN_CHANGE]
    groups = _table(f"Per group, moved by {SHOWN_CHANGE:g} or more (intervals in brackets)",
                    ("group", "metric", "old", "new", "change"))
    for m in moved:
        groups.add_row(m.group or "", m.metric, _with(m.old, m.old_interval), _with(m.new, m.new_interval),
                       _signed(m.change))
    return [lines, summary, groups]


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD)
    for column in columns:
        table.add_column(column, justify="left" if column in ("group", "metric") else "right", overflow="fold")
    return table


def _with(value: float, interval: tuple[float, float] | None) -> str:
    return number(value) + (f" [{number(interval[0])}, {number(interval[1])}]" if interval else "")


def _signed(value: float) -> str:
    return "undefined" if math.isnan(value) else f"{value:+.3f}"


def _short(digest: str | None) -> str:
    return "none" if digest is None else digest[:12]


