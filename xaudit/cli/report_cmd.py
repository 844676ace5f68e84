"""``xaudit report``: run a full audit and write one self-contained HTML file plus its JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import RichProgress, command_line, handle_errors, stderr
from .options import (DataDir, Define, GroupCols, Groups, InputFile, LabelCol, PredCol, Positive, ScoreCol, Texts,
                      Threshold, command, method_list_help)


def register(app: typer.Typer) -> None:
    command(app, "report", report)


@handle_errors
def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.",
                                         dir_okay=False)] = Path("reports/audit.html"),
    config: Annotated[Optional[Path], typer.Option("--config", help="TOML file naming models, methods, data and "
                                                   "groups.", dir_okay=False, exists=True)] = None,
    json_output: Annotated[Optional[Path], typer.Option("--json", help="JSON file to write (default: beside the "
                                                        "HTML).", dir_okay=False)] = None,
    models: Annotated[Optional[str], typer.Option("--model", "-m", metavar="<model,...>",
                                                  help="Comma-separated models to explain "
                                                  "(default: the reference classifiers bert, lstm, cnn, "
                                                  "vit).")] = None,
    methods: Annotated[Optional[str], typer.Option("--method", metavar="<method,...>", help=method_list_help(
        "(default: per model kind)"))] = None,
    texts: Texts = None,
    input: InputFile = None,
    data: Annotated[Optional[Path], typer.Option("--data", help="Predictions table for group fairness (as in "
                                                 "`xaudit fairness`); default: UCI Adult and German credit from "
                                                 "the shared data, else a built-in synthetic example.",
                                                 exists=True)] = None,
    label_col: LabelCol = None,
    pred_col: PredCol = None,
    score_col: ScoreCol = None,
    threshold: Threshold = None,
    positive: Positive = None,
    group_cols: GroupCols = None,
    groups: Groups = None,
    define: Define = None,
    data_dir: DataDir = None,
    cloze_model: Annotated[Optional[str], typer.Option("--cloze-model", metavar="<name|dir|hub-id>",
                                                       help="Masked LM for the cloze section on "
                                                       "MozArt (default: mlm).")] = None,
    no_cloze: Annotated[bool, typer.Option("--no-cloze", help="Leave out the cloze-fairness section.")] = False,
    n_evaluate: Annotated[Optional[int], typer.Option("--n-evaluate", help="Held-out examples for explanation "
                                                      "quality (default 100).")] = None,
    n_boot: Annotated[Optional[int], typer.Option("--n-boot", help="Bootstrap resamples where a bootstrap "
                                                  "is used (default 1000); group-fairness intervals are score "
                                                  "intervals.")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed for everything random (default 0).")] = None,
    title: Annotated[Optional[str], typer.Option("--title", metavar="<text>", help="Report title.")] = None,
    baseline: Annotated[Optional[Path], typer.Option("--baseline", dir_okay=False,
                                                     help="An earlier report's JSON (or an xaudit fairness JSON): "
                                                     "add a 'since the last audit' section.")] = None,
) -> None:
    """Write an HTML audit report (summary, group and cloze fairness, explanations, methods, provenance).

    \b
    Example: xaudit report -o audit.html --model bert,cnn --method saliency,flow
    """
    from ..paths import default_data_dir
    from ..report.config import ReportConfig, apply_options, check_config, read_config
    from ..validation import split_csv, split_names

    chosen = apply_options(
        read_config(config) if config else ReportConfig(), data=data, models=split_csv(models) or None,
        methods=split_csv(methods) or None, texts=texts or None, input=input, label_col=label_col,
        pred_col=pred_col, score_col=score_col, threshold=threshold, positive=positive,
        group_cols=split_csv(group_cols), define=list(define or []), groups=split_names(groups),
        cloze_model=cloze_model, no_cloze=no_cloze, n_evaluate=n_evaluate, n_boot=n_boot, seed=seed, title=title,
        data_dir=data_dir, baseline=baseline, command=command_line())
    chosen.data_dir = chosen.data_dir or default_data_dir()
    check_config(chosen)
    from .. import atomic  # torch from here on: after the checks
    from ..report.build import build_report
    from ..report.render import render_html

    with RichProgress() as progress:
        audit = build_report(chosen, progress)
    html, json_path = render_html(audit), json_output or output.with_suffix(".json")
    atomic.write_all({json_path: audit.to_json(), output: html})  # both files or neither
    stderr.print(f"wrote {output} ({len(html.encode()) / 1e6:.2f} MB) and {json_path}")
