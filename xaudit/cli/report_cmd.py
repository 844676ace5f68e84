"""``xaudit report``: run a full audit and write one self-contained HTML file plus its JSON."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer

from .common import RichProgress, handle_errors, stderr


def register(app: typer.Typer) -> None:
    app.command("report")(report)


@handle_errors
def report(
    output: Path = typer.Option(Path("reports/audit.html"), "--output", "-o", help="HTML file to write.",
                                dir_okay=False),
    config: Path | None = typer.Option(None, "--config", help="TOML file naming models, methods, data and groups."),
    json_output: Path | None = typer.Option(None, "--json", help="JSON file to write (default: beside the HTML)."),
    model: str | None = typer.Option(None, "--model", "-m", help="Comma-separated models to explain "
                                     "(default: the reference classifiers bert, lstm, cnn, vit)."),
    method: str | None = typer.Option(None, "--method", help="Comma-separated attribution methods "
                                      "(default: per model kind)."),
    text: list[str] = typer.Option(None, "--text", help="Text to explain (repeatable)."),
    input_file: Path | None = typer.Option(None, "--input", help="txt / jsonl file of texts to explain."),
    data: Path | None = typer.Option(None, "--data", help="Predictions table for group fairness (as in "
                                     "`xaudit fairness`); default: UCI Adult and German credit from the shared "
                                     "data, else a built-in synthetic example."),
    label_col: str | None = typer.Option(None, "--label-col", help="True label column of --data."),
    pred_col: str | None = typer.Option(None, "--pred-col", help="Prediction column of --data."),
    score_col: str | None = typer.Option(None, "--score-col", help="Score column of --data."),
    threshold: float | None = typer.Option(None, "--threshold", help="Scores >= this are positive."),
    positive: str | None = typer.Option(None, "--positive", help="The favourable label when not 0/1."),
    group_cols: str | None = typer.Option(None, "--group-cols", help="Group columns of --data (comma-separated)."),
    groups: str | None = typer.Option(None, "--groups", help="Groups of --data to report, comma separated, in order."),
    define: list[str] | None = typer.Option(None, "--define", help="Group of --data from several columns, "
                                            "repeatable: 'MN=sex:male&native:1' (as in `xaudit fairness`)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Shared data folder (default: $XAUDIT_DATA_DIR "
                                         "or ../shared/data)."),
    cloze_model: str | None = typer.Option(None, "--cloze-model", help="Masked LM for the cloze section on MozArt "
                                           "(default: mlm)."),
    no_cloze: bool = typer.Option(False, "--no-cloze", help="Leave out the cloze-fairness section."),
    n_evaluate: int | None = typer.Option(None, "--n-evaluate", help="Held-out examples for explanation quality."),
    n_boot: int | None = typer.Option(None, "--n-boot", help="Bootstrap resamples for group-fairness intervals."),
    seed: int | None = typer.Option(None, "--seed", help="Seed for everything random."),
    title: str | None = typer.Option(None, "--title", help="Report title."),
) -> None:
    """Write an HTML audit report (summary, group and cloze fairness, explanations, methods, provenance)."""
    from .. import atomic
    from ..paths import default_data_dir
    from ..errors import ParameterError
    from ..report.build import build_report
    from ..report.config import FairnessData, ReportConfig, read_config
    from ..report.embed import script_json
    from ..report.render import render_html
    from ..validation import check_int, split_csv

    chosen = read_config(config) if config else ReportConfig()
    if model:
        chosen.models = split_csv(model)
    if method:
        chosen.methods = split_csv(method)
    if text:
        chosen.texts = list(text)
    if input_file:
        chosen.input = input_file
    table_options = {"label_col": label_col, "pred_col": pred_col, "score_col": score_col, "threshold": threshold,
                     "positive": positive, "group_cols": split_csv(group_cols) or None, "define": list(define or []) or None,
                     "groups": split_csv(groups) or None}
    if data is not None:
        if label_col is None:
            raise ParameterError("--data needs --label-col (and --pred-col or --score-col)")
        chosen.fairness = FairnessData(data, label_col, pred_col, score_col, threshold, positive,
                                       split_csv(group_cols), list(define or []), split_csv(groups))
    elif given := {name: value for name, value in table_options.items() if value is not None}:
        if chosen.fairness is None:
            raise ParameterError(f"--{next(iter(given)).replace('_', '-')} applies to a predictions table: give --data "
                                 "(or [fairness] in --config)")
        for name, value in given.items():  # the command line overrides the config file
            setattr(chosen.fairness, name, value)
    for name, value in (("n_evaluate", n_evaluate), ("n_boot", n_boot), ("seed", seed)):
        if value is not None:
            setattr(chosen, name, check_int(name, value, minimum=0))
    chosen.cloze_model = cloze_model or chosen.cloze_model
    chosen.cloze = chosen.cloze and not no_cloze
    chosen.title = title or chosen.title
    chosen.data_dir = data_dir or chosen.data_dir or default_data_dir()
    chosen.command = "xaudit " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    with RichProgress() as progress:
        data_out = build_report(chosen, progress)
    html = render_html(data_out)
    json_path = json_output or output.with_suffix(".json")
    atomic.write_text(json_path, script_json(data_out))
    atomic.write_text(output, html)
    stderr.print(f"wrote {output} ({len(html.encode()) / 1e6:.2f} MB) and {json_path}")
