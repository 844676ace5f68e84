"""``xaudit models``, ``xaudit train`` and ``xaudit predict``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..models.registry import REFERENCE_MODELS

from ..errors import ParameterError
from .common import RichProgress, emit_formatted, emit_json, emit_rich, handle_errors, stderr
from .options import (AllowPickle, DataDir, Device, DeviceOption, Digit, Format, Image, InputFile, Model, Output,
                      OutputFormat, Seed, SmallOutputFormat, TableOrJson, Texts, command)


ReferenceName = Enum("ReferenceName", {name: name for name in sorted(REFERENCE_MODELS)}, type=str)


def register(app: typer.Typer) -> None:
    command(app, "models", models)
    command(app, "train", train)
    command(app, "predict", predict)


@handle_errors
def models(format: SmallOutputFormat = TableOrJson.table, output: Output = None) -> None:
    """List the registered reference models with their held-out metrics.

    \b
    Example: xaudit models --format json
    """
    from rich.table import Table

    from ..models.registry import REFERENCE_MODELS, describe
    from ..schema import envelope

    rows = [describe(name) for name in sorted(REFERENCE_MODELS)]
    if format == TableOrJson.json:
        emit_json(envelope("reference_models") | {"models": rows}, output)
        return
    table = Table(title="Reference models")
    for column in ("name", "kind", "task", "test accuracy", "parameters", "trained on"):
        table.add_column(column)
    for row in rows:
        accuracy = row["metrics"].get("test_accuracy")
        table.add_row(row["name"], row["kind"], row["task"],
                      f"{accuracy:.4f}" if accuracy is not None else "not trained",
                      f"{row['parameters']:,}" if row["parameters"] else "", row["device"] or "")
    emit_rich([table], output)


@handle_errors
def train(
    name: Annotated[ReferenceName, typer.Argument(show_default=False, help="Reference model to train (see `xaudit "
                                                  "models`).")],
    device: DeviceOption = Device.cpu,
    seed: Seed = 0,
    preset: Annotated[str, typer.Option("--preset", metavar="<full|tiny>",
                                        help="full (the shipped size) or tiny (seconds, for "
                                        "tests).")] = "full",
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder to write (default: checkpoints/NAME).",
                                                file_okay=False)] = None,
    data_dir: DataDir = None,
) -> None:
    """Train a reference model: safetensors weights plus a JSON model card.

    \b
    Example: xaudit train lstm --seed 0 --device cpu --out checkpoints/lstm
    """
    from ..models.registry import reference_model

    reference_model(name.value, preset)  # checked before torch loads
    from ..training.recipes import train as run_training

    target = out or Path("checkpoints") / name.value
    with RichProgress() as progress:
        card = run_training(name.value, target, seed=seed, device=device.value, preset=preset, progress=progress,
                            data_dir=data_dir)
    metrics = card["metrics"]
    stderr.print(f"trained {name.value} in {card['wall_time_s']} s on {card['device']}: "
                 f"test accuracy {metrics['test_accuracy']:.4f} (n={metrics['test_n']}); wrote {target}")


@handle_errors
def predict(
    model: Model,
    texts: Texts = None,
    input_file: InputFile = None,
    image: Image = None,
    digit: Digit = None,
    data: Annotated[Optional[Path], typer.Option("--data", dir_okay=False, exists=True,
                                                 help="Table of rows (.csv, .parquet "
                                                 "or .jsonl) for a tabular model (credit, income), or "
                                                 "for a text classifier with --text-col.")] = None,
    text_col: Annotated[Optional[str], typer.Option("--text-col", metavar="<column>",
                                                    help="With --data and a text classifier: the column "
                                                    "holding the texts.")] = None,
    positive: Annotated[Optional[str], typer.Option("--positive", metavar="<label>",
                                                    help="With --text-col: the favourable class (a label "
                                                    "or class index) whose probability is the score; "
                                                    "default: class 1 of two.")] = None,
    allow_pickle: AllowPickle = False,
    device: DeviceOption = Device.cpu,
    format: OutputFormat = Format.table,
    output: Output = None,
) -> None:
    """Predict with a model: label and probability for each input; for a tabular model, one decision
    (row, prediction, score = probability of the favourable class) per row of --data.

    \b
    Examples: xaudit predict --model bert --text "the keys to the cabinet"
              xaudit predict --model credit --data german.csv --format csv -o decisions.csv
              xaudit predict --model ./my-classifier --data reviews.csv --text-col review --positive positive
    """
    from ..checks import check_explanation
    from ..models.summary import summarize

    if (text_col is not None or positive is not None) and data is None:
        raise ParameterError("--text-col and --positive apply to a text classifier's decisions on --data")
    if positive is not None and text_col is None:
        raise ParameterError("--positive applies with --text-col (a tabular model's card names its favourable "
                             "class)")
    summary = summarize(model)
    if text_col is None:
        check_explanation(summary, texts=texts, input_file=input_file, image=image, digit=digit, data=data)
    elif any(value not in (None, []) for value in (texts, input_file, image, digit)):
        raise ParameterError("--text-col reads the texts from --data; give no other input")
    elif summary is not None and summary.modality != "text":
        raise ParameterError(f"--text-col applies to text classifiers; model {summary.name!r} is a "
                             f"{summary.kind} model")
    from .. import inputs as input_reading  # torch from here on: after the checks
    from ..models import load_model
    from ..models.decisions import decide
    from ..models.predict import predict as run_prediction
    from ..render.prediction_terminal import render, render_decisions

    adapter = load_model(model, allow_pickle=allow_pickle, device=device.value)
    if text_col is not None:
        from ..fairness.model_decisions import favourable_class
        from ..models.decisions import TextRows

        with RichProgress() as progress:
            decisions, _ = decide(adapter, data, text=TextRows(text_col, favourable_class(adapter, positive)),
                                  progress=progress)
        emit_formatted(format, output, payload=decisions.to_dict, frame=decisions.to_frame,
                       tables=lambda: render_decisions(decisions))
        return
    if data is not None or adapter.modality == "tabular":
        table = input_reading.check_table_input(adapter, data, texts=texts, input_file=input_file, image=image,
                                                digit=digit)
        with RichProgress() as progress:
            decisions, _ = decide(adapter, table, progress=progress)
        emit_formatted(format, output, payload=decisions.to_dict, frame=decisions.to_frame,
                       tables=lambda: render_decisions(decisions))
        return
    given = input_reading.collect(adapter.modality, texts=texts, input_file=input_file, image=image, digit=digit,
                                  channels=getattr(adapter, "channels", 1))
    with RichProgress() as progress:
        result = run_prediction(adapter, given.items, given.ids, given.true_labels, progress=progress)
    emit_formatted(format, output, payload=result.to_dict, frame=result.to_frame, tables=lambda: render(result))
