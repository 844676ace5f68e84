"""``xaudit fairness``: group fairness of a classifier's decisions, or cloze fairness of a masked LM.

The command parses options and picks the audit (:func:`xaudit.cloze.is_cloze_audit`):
``run_group_fairness`` for a predictions table, :func:`~xaudit.cli.cloze_cmd.audit_cloze` for MozArt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import ParameterError
from ..fairness.examples import EXAMPLES
from ..fairness.sql import is_glob
from ..validation import split_csv
from .cloze_cmd import KValues, Languages, MozartFolder, Predictions, SavePredictions, audit_cloze
from .common import RichProgress, emit_formatted, exit_if_breached, handle_errors, warn
from .options import (Define, Device, DeviceOption, Format, GroupCols, Groups, LabelCol, OptionalModel, Output,
                      OutputFormat, PredCol, Positive, ScoreCol, Seed, Threshold, command, explicit)

CLOZE_OPTIONS = ("mozart", "model", "k", "languages", "predictions", "save_predictions", "device")
DECISION_OPTIONS = ("model", "save_predictions", "device", "counterfactual", "explain", "proxy_threshold",
                    "text_col")
"""Options that, with a tabular --model, belong to the audit of the model's decisions on --data."""
TABLE_OPTIONS = ("counts", "example", "label_col", "pred_col", "score_col", "threshold", "positive", "group_cols",
                 "define", "define_file", "fail_on", "reference", "four_fifths", "n_boot", "confidence", "seed",
                 "strict", "counterfactual", "explain", "proxy_threshold", "sql")


def register(app: typer.Typer) -> None:
    command(app, "fairness", fairness)


@handle_errors
def fairness(
    ctx: typer.Context,
    data: Annotated[Optional[Path], typer.Option("--data", help="Predictions table (.csv, .parquet or .jsonl), or "
                                                 "a glob of them ('preds/*.parquet', read by DuckDB); a MozArt "
                                                 "folder here is read as --mozart.")] = None,
    sql: Annotated[Optional[str], typer.Option("--sql", metavar="<query>",
                                               help="Instead of --data: a DuckDB query returning the predictions "
                                               "(label, prediction or score, group columns); DuckDB counts them "
                                               "per group.")] = None,
    mozart: MozartFolder = None,
    counts: Annotated[Optional[Path], typer.Option("--counts", dir_okay=False, exists=True,
                                                   help="Per-group confusion counts "
                                                   "instead of --data: group columns plus tp, fp, tn, fn.")] = None,
    example: Annotated[Optional[str], typer.Option("--example", metavar="<" + "|".join(EXAMPLES) + ">",
                                                   help="Built-in dataset instead of --data: " + "; ".join(
        f"{name} ({e.description})" for name, e in EXAMPLES.items()) + ".")] = None,
    label_col: LabelCol = None,
    pred_col: PredCol = None,
    score_col: ScoreCol = None,
    threshold: Threshold = None,
    positive: Positive = None,
    group_cols: GroupCols = None,
    groups: Groups = None,
    define: Define = None,
    define_file: Annotated[Optional[Path], typer.Option("--define-file", dir_okay=False, exists=True,
                                                        help="Group definitions "
                                                        "as TOML or JSON: {name: {column: value}}.")] = None,
    reference: Annotated[str, typer.Option("--reference", metavar="<highest|largest|group>",
                                           help="Reference group: highest (selection rate), "
                                           "largest, or a group name.")] = "highest",
    four_fifths: Annotated[float, typer.Option("--four-fifths", help="Flag impact ratios below this.")] = 0.8,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap resamples for the "
                                        "counterfactual flip-rate intervals (0: none); group intervals are "
                                        "score intervals.")] = 1000,
    confidence: Annotated[float, typer.Option("--confidence", help="Interval level; tests use 1 - "
                                              "this.")] = 0.95,
    seed: Seed = 0,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on missing values (with --model: on any value "
                                         "the model cannot read) instead of dropping the rows with a "
                                         "warning.")] = False,
    fail_on: Annotated[Optional[list[str]], typer.Option("--fail-on", metavar="<condition>",
                                                         help="Exit 1 when a condition holds, e.g. "
                                                         "'statistical_parity_ratio<0.8' (repeatable, comma "
                                                         "separated).")] = None,
    model: OptionalModel = None,
    k: KValues = "1,5",
    languages: Languages = "en,es,de,fr",
    predictions: Predictions = None,
    save_predictions: SavePredictions = None,
    counterfactual: Annotated[Optional[list[str]], typer.Option(
        "--counterfactual", metavar="<attribute[=from:to,...]>",
        help="With a tabular --model: also change only this protected input (ATTR, a card grouping read from "
        "one such as sex, or ATTR=FROM:TO,FROM:TO) and report decision flips per group (repeatable); with "
        "--text-col: swap the identity terms of this list in the texts (gender).")] = None,
    explain: Annotated[Optional[str], typer.Option("--explain", metavar="<method>",
                                                   help="With a tabular --model: also attribution by group "
                                                   "by this method (e.g. ig): mean |attribution| per column, "
                                                   "shares on protected attributes and their proxies.")] = None,
    text_col: Annotated[Optional[str], typer.Option("--text-col", metavar="<column>",
                                                    help="With a text classifier as --model: the column of "
                                                    "--data holding the texts it decides on.")] = None,
    proxy_threshold: Annotated[float, typer.Option("--proxy-threshold", help="With --explain: a column is a "
                                                   "proxy when its association with a protected attribute "
                                                   "(Cramér's V, correlation ratio, |r|) reaches this.")] = 0.3,
    device: DeviceOption = Device.cpu,
    format: OutputFormat = Format.table,
    output: Output = None,
) -> None:
    """Group fairness of a classifier (statistical parity, performance parity, accuracy equality), or
    per-demographic cloze P@k of a masked LM on MozArt (--groups MN,FN,MNN,FNN).

    \b
    Examples: xaudit fairness --data preds.csv --label-col y --pred-col yhat --group-cols sex,race
              xaudit fairness --model credit --data german.csv
              xaudit fairness --groups MN,FN,MNN,FNN --k 1,5
    """
    from ..cloze import GROUPS, is_cloze_audit
    from ..models.summary import is_tabular_model

    if data is not None and not is_glob(data) and not data.exists():
        raise ParameterError(f"Invalid value for '--data': Path '{data}' does not exist.")
    decision_model = model is not None and (text_col is not None or is_tabular_model(model))
    cloze_given = explicit(ctx, [o for o in CLOZE_OPTIONS if not (decision_model and o in DECISION_OPTIONS)])
    table_given = explicit(ctx, TABLE_OPTIONS)
    if mozart is not None and data is not None:
        raise ParameterError("give --data (a predictions table) or --mozart (the cloze audit), not both")
    if mozart is not None or is_cloze_audit(data=data, tabular_input=counts is not None or example is not None,
                                            groups=split_csv(groups), cloze_options=bool(cloze_given)):
        if table_given:
            raise ParameterError(f"{table_given[0]} does not apply to the cloze audit on MozArt")
        audit_cloze(mozart=mozart or data, model=model, k=k, languages=languages, groups=groups or ",".join(GROUPS),
                    predictions=predictions, save_predictions=save_predictions, device=device, format=format,
                    output=output)
        return
    if cloze_given:
        raise ParameterError(f"{cloze_given[0]} applies to the cloze audit only: give --mozart FOLDER")
    if explain is None and explicit(ctx, ["proxy_threshold"]):
        raise ParameterError("--proxy-threshold applies to --explain only")
    settings = dict(reference=reference, four_fifths=four_fifths, n_boot=n_boot, confidence=confidence, seed=seed)
    if counterfactual or explain is not None:
        if not decision_model:
            flag = "--counterfactual" if counterfactual else "--explain"
            raise ParameterError(f"{flag} needs a tabular --model (credit, income, or a folder whose card has "
                                 "a feature schema), or a text classifier with --text-col")
        audit_model(model=model, data=data, counterfactual=counterfactual or [], explain=explain, text_col=text_col,
                    proxy_threshold=proxy_threshold, counts=counts, example=example, pred_col=pred_col, sql=sql,
                    score_col=score_col, label_col=label_col, positive=positive, threshold=threshold,
                    group_cols=group_cols, groups=groups, define=define or [], define_file=define_file,
                    fail_on=fail_on or [], strict=strict, settings=settings, save_predictions=save_predictions,
                    device=device, format=format, output=output)
        return
    if data is not None and not (group_cols or define or define_file) and split_csv(groups) \
            and set(split_csv(groups)) <= set(GROUPS):
        raise ParameterError(f"{data} is not a MozArt folder (one holding en_data_with_annotations.jsonl, ...); "
                             "for the cloze audit give --mozart the mozart/ folder, for a predictions table give "
                             "--group-cols or --define")
    audit_table(data=data, counts=counts, example=example, label_col=label_col, pred_col=pred_col,
                score_col=score_col, threshold=threshold, positive=positive, group_cols=group_cols, groups=groups,
                define=define or [], define_file=define_file, fail_on=fail_on or [], strict=strict, format=format,
                output=output, settings=settings,
                model=model if decision_model else None, save_predictions=save_predictions, device=device.value,
                text_col=text_col, sql=sql)


def audit_table(*, define: list[str], define_file: Path | None, fail_on: list[str], group_cols: str | None,
                groups: str | None, settings: dict[str, object], format: Format, output: Path | None,
                **table: object) -> None:
    """Audit a predictions table (or counts, or an example) and write the result; exit 1 on a breach."""
    from ..validation import check_choice

    if table.get("example") is not None:
        check_choice("example", table["example"], EXAMPLES)  # before pandas loads
    from ..fairness import AuditSettings
    from ..fairness.pipeline import run_group_fairness
    from ..render.fairness_terminal import fairness_tables
    from ..fairness.result import SUMMARY_NAMES
    from ..fairness.thresholds import breaches, parse_conditions

    conditions = parse_conditions(fail_on, SUMMARY_NAMES)
    definitions = _definitions(define, define_file)
    with RichProgress() as progress:
        result, notes = run_group_fairness(**table, group_cols=split_csv(group_cols), definitions=definitions,
                                           groups=split_csv(groups), settings=AuditSettings(**settings),
                                           progress=progress)
    for note in notes:
        warn(note)
    emit_formatted(format, output, payload=result.to_dict, frame=result.to_frame,
                   tables=lambda: fairness_tables(result))
    exit_if_breached(breaches(conditions, result.summary()))


def audit_model(*, model: str, data: Path | None, counts: Path | None, example: str | None, pred_col: str | None,
                sql: str | None,
                score_col: str | None, define: list[str], define_file: Path | None, fail_on: list[str],
                group_cols: str | None, groups: str | None, settings: dict[str, object], device: Device,
                format: Format, output: Path | None, **choices: Any) -> None:
    """Audit a tabular model's decisions with counterfactual flips and/or attribution by group; exit 1 on a
    breach of the group audit."""
    from ..fairness import AuditSettings
    from ..fairness.model_audit import run_model_audit
    from ..fairness.result import SUMMARY_NAMES
    from ..fairness.thresholds import breaches, parse_conditions
    from ..render.model_audit_terminal import model_audit_tables

    used = [flag for flag, value in (("--counts", counts), ("--example", example), ("--pred-col", pred_col),
                                     ("--score-col", score_col), ("--sql", sql)) if value is not None]
    if used:
        raise ParameterError(f"{used[0]} does not apply to --model (the model makes the decisions)")
    conditions = parse_conditions(fail_on, SUMMARY_NAMES)
    with RichProgress() as progress:
        result, notes = run_model_audit(model=model, data=data, group_cols=split_csv(group_cols),
                                        groups=split_csv(groups), definitions=_definitions(define, define_file),
                                        settings=AuditSettings(**settings), device=device.value, progress=progress,
                                        **choices)
    for note in notes:
        warn(note)
    emit_formatted(format, output, payload=result.to_dict, frame=result.to_frame,
                   tables=lambda: model_audit_tables(result))
    exit_if_breached(breaches(conditions, result.fairness.summary()))


def _definitions(define: list[str], define_file: Path | None) -> list[Any]:
    """Group definitions from ``--define`` texts and a ``--define-file``."""
    from ..fairness.groups import parse_definition, read_definitions

    return [parse_definition(text) for text in define] + (read_definitions(define_file) if define_file else [])
