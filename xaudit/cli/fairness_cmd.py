"""``xaudit fairness``: group fairness of a classifier's decisions, or cloze fairness of a masked LM.

The command parses options and picks the audit (:func:`xaudit.cloze.is_cloze_audit`):
``run_group_fairness`` / ``emit_group_fairness`` for a predictions table,
``run_cloze`` / ``emit_cloze`` for MozArt.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..fairness import AuditSettings, FairnessResult
from ..fairness.pipeline import run_group_fairness
from ..fairness.groups import parse_definition, read_definitions
from ..fairness.render import fairness_tables
from ..fairness.result import SUMMARY_NAMES
from ..fairness.synthetic import EXAMPLES
from ..fairness.thresholds import breaches, parse_conditions
from ..errors import ParameterError
from ..validation import split_csv
from .cloze_cmd import audit_cloze
from .common import (Format, OutputOption, RichProgress, emit_formatted, exit_if_breached,
                     handle_errors, warn)


def register(app: typer.Typer) -> None:
    app.command("fairness")(fairness)


@handle_errors
def fairness(
    ctx: typer.Context,
    data: Path | None = typer.Option(None, "--data",
                                     help="Predictions table (.csv, .parquet or .jsonl), or a MozArt folder for the "
                                          "cloze audit (default for --groups MN,FN,MNN,FNN: "
                                          "$XAUDIT_DATA_DIR/mozart)."),
    counts: Path | None = typer.Option(None, "--counts", dir_okay=False,
                                       help="Per-group confusion counts instead of --data: group columns plus "
                                            "tp, fp, tn, fn."),
    example: str | None = typer.Option(None, "--example", help="Built-in dataset instead of --data: " + "; ".join(
        f"{name} ({example.description})" for name, example in EXAMPLES.items()) + "."),
    label_col: str | None = typer.Option(None, "--label-col", help="True label column."),
    pred_col: str | None = typer.Option(None, "--pred-col", help="Prediction column (0/1, or see --positive)."),
    score_col: str | None = typer.Option(None, "--score-col", help="Score column, used with --threshold."),
    threshold: float | None = typer.Option(None, "--threshold", help="Scores >= this are positive (default 0.5)."),
    positive: str | None = typer.Option(None, "--positive", help="The favourable label when labels are not 0/1."),
    group_cols: str | None = typer.Option(None, "--group-cols",
                                          help="Group column(s), comma separated; several form intersectional "
                                               "groups such as Female/Black."),
    groups: str | None = typer.Option(None, "--groups", help="Groups to report, comma separated, in this order."),
    define: list[str] | None = typer.Option(None, "--define",
                                            help="Group from several columns, repeatable: "
                                                 "'MN=sex:male&native:1' ('|' between accepted values)."),
    define_file: Path | None = typer.Option(None, "--define-file", dir_okay=False,
                                            help="Group definitions as TOML or JSON: {name: {column: value}}."),
    reference: str = typer.Option("highest", "--reference",
                                  help="Reference group: highest (selection rate), largest, or a group name."),
    four_fifths: float = typer.Option(0.8, "--four-fifths", help="Flag impact ratios below this."),
    n_boot: int = typer.Option(1000, "--n-boot", help="Bootstrap resamples for the intervals (0: none)."),
    confidence: float = typer.Option(0.95, "--confidence", help="Interval level; tests use 1 - this."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
    strict: bool = typer.Option(False, "--strict", help="Fail on missing values instead of dropping the rows."),
    fail_on: list[str] | None = typer.Option(None, "--fail-on",
                                             help="Exit 1 when a condition holds, e.g. "
                                                  "'statistical_parity_ratio<0.8' (repeatable, comma separated)."),
    model: str | None = typer.Option(None, "--model", "-m",
                                     help="Cloze audit: masked LM, a reference name, folder or hub id "
                                          "(default: mlm)."),
    k: str | None = typer.Option(None, "--k", help="Cloze audit: comma-separated k values for P@k (default 1,5)."),
    languages: str | None = typer.Option(None, "--languages",
                                         help="Cloze audit: comma-separated languages (default en,es,de,fr)."),
    predictions: Path | None = typer.Option(None, "--predictions", dir_okay=False,
                                            help="Cloze audit: saved top-k predictions (JSONL) instead of a model."),
    save_predictions: Path | None = typer.Option(None, "--save-predictions", dir_okay=False,
                                                 help="Cloze audit: also write the model's top-k words (JSONL)."),
    format: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    output: Path | None = OutputOption,
) -> None:
    """Group fairness of a classifier (statistical parity, performance parity, accuracy equality), or
    per-demographic cloze P@k of a masked LM on MozArt (--groups MN,FN,MNN,FNN)."""
    from ..cloze import GROUPS, LANGUAGES, is_cloze_audit

    cloze_options = {"--model": model, "--k": k, "--languages": languages, "--predictions": predictions,
                     "--save-predictions": save_predictions}
    table_options = {"--counts": counts, "--example": example, "--label-col": label_col, "--pred-col": pred_col,
                     "--score-col": score_col, "--threshold": threshold, "--positive": positive,
                     "--group-cols": group_cols, "--define": define, "--define-file": define_file,
                     "--fail-on": fail_on}
    table_options |= {f"--{name.replace('_', '-')}": True for name in CLASSIFIER_SETTINGS
                      if ctx.get_parameter_source(name).name != "DEFAULT"}
    if is_cloze_audit(data=data, tabular_input=counts is not None or example is not None,
                      groups=split_csv(groups), cloze_options=_first_set(cloze_options) is not None):
        if (name := _first_set(table_options)) is not None:
            raise ParameterError(f"{name} does not apply to the cloze audit on MozArt")
        audit_cloze(data=data, model=model, k="1,5" if k is None else k,
                    languages=",".join(LANGUAGES) if languages is None else languages,
                    groups=",".join(GROUPS) if groups is None else groups, predictions=predictions,
                    save_predictions=save_predictions, format=format, output=output)
        return
    if (name := _first_set(cloze_options)) is not None:
        raise ParameterError(f"{name} applies to the cloze audit only: give --data MOZART_FOLDER")
    if data is not None and not group_cols and not define and not define_file and groups \
            and all(group in GROUPS for group in split_csv(groups)):
        raise ParameterError(f"{data} is not a MozArt folder (one holding en_data_with_annotations.jsonl, ...); "
                             "for the cloze audit give --data the mozart/ folder, for a predictions table give "
                             "--group-cols or --define")
    conditions = parse_conditions(fail_on or [], SUMMARY_NAMES)
    settings = AuditSettings(reference=reference, four_fifths=four_fifths, n_boot=n_boot, confidence=confidence,
                             seed=seed)
    definitions = [parse_definition(text) for text in define or []]
    definitions += read_definitions(define_file) if define_file else []
    with RichProgress() as progress:
        result, notes = run_group_fairness(
            data=data, counts=counts, example=example, label_col=label_col, pred_col=pred_col,
            score_col=score_col, threshold=threshold, positive=positive, group_cols=split_csv(group_cols),
            definitions=definitions, groups=split_csv(groups), strict=strict, settings=settings, progress=progress)
    for note in notes:
        warn(note)
    emit_group_fairness(result, format, output)
    exit_if_breached(breaches(conditions, result.summary()))


CLASSIFIER_SETTINGS = ("reference", "four_fifths", "n_boot", "confidence", "seed", "strict")


def _first_set(options: dict[str, object]) -> str | None:
    return next((name for name, value in options.items() if value is not None and value not in ([], ())), None)


def emit_group_fairness(result: FairnessResult, format: Format, output: Path | None) -> None:
    emit_formatted(format, output, payload=result.to_dict, frame=result.to_frame,
                   tables=lambda: fairness_tables(result))
