"""``xaudit fairness --preset ll144``: the impact-ratio tables of a NYC Local Law 144 bias audit."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import ParameterError
from ..validation import check_choice, split_csv
from .common import RichProgress, emit_formatted
from .options import Device, Format, explicit

PRESETS = ("ll144",)
NOT_WITH_PRESET = ("counts", "example", "define", "define_file", "counterfactual", "explain", "fail_on", "groups",
                   "group", "equivalence_margin", "reference", "baseline", "sql")
"""Options of ``xaudit fairness`` that the LL144 tables do not use (refused rather than ignored)."""


def audit_preset(ctx: typer.Context, *, preset: str, model: str | None, data: Path | None, group_cols: str | None,
                 pred_col: str | None, score_col: str | None, positive: str | None, score_kind: str,
                 label_col: str | None, threshold: float | None, unknown: list[str], device: Device,
                 format: Format, output: Path | None) -> None:
    """Check the preset and its options, then write its tables."""
    check_choice("preset", preset, PRESETS)
    refused = explicit(ctx, [name for name in NOT_WITH_PRESET if name in ctx.params])
    if refused:
        raise ParameterError(f"{refused[0]} does not apply to --preset {preset}")
    from ..fairness.ll144 import run_ll144
    from ..render.ll144_terminal import ll144_tables

    choices = {} if model is None else {"label_col": label_col, "threshold": threshold}
    with RichProgress() as progress:
        audit = run_ll144(model=model, data=data, group_cols=split_csv(group_cols), pred_col=pred_col,
                          score_col=score_col, positive=positive, score_kind=score_kind, unknown=unknown,
                          device=device.value,
                          progress=progress, **choices)
    emit_formatted(format, output, payload=audit.to_dict, frame=audit.to_frame, tables=lambda: ll144_tables(audit))
