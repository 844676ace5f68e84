"""A rich table of reasons for refused rows (``xaudit attribute --model credit --data T --reasons``)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..fairness.reasons import DecisionReasons


def reasons_tables(result: DecisionReasons, rows_read: int) -> list[Table]:
    table = Table(title=f"Reasons for refusal by {result.method}, model {result.model}: {len(result.refusals):,} of "
                        f"{rows_read:,} rows refused (favourable score below {result.threshold:g})")
    for column in ("row", "score", "reason", "column", "value", "attribution"):
        table.add_column(column, justify="right" if column in ("row", "score", "reason", "attribution") else "left",
                         overflow="fold")
    for refusal in result.refusals:
        if not refusal.reasons:
            table.add_row(str(refusal.row), f"{refusal.score:.3f}", "", Text("no column lowered the score"), "", "")
        for rank, reason in enumerate(refusal.reasons, 1):
            table.add_row(str(refusal.row) if rank == 1 else "", f"{refusal.score:.3f}" if rank == 1 else "",
                          str(rank), Text(reason.feature), Text(reason.value), f"{reason.attribution:+.4f}")
    table.caption = ("Reasons: the columns with the most negative attribution toward the favourable class "
                     "(compared with the method's baseline, e.g. the typical applicant for ig), strongest first.")
    return [table]
