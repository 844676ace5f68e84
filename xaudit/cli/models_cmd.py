"""``xaudit models``, ``xaudit train`` and ``xaudit predict``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from .common import OutputOption, RichProgress, TableOrJson, emit_json, emit_rich, handle_errors, stderr, warn


def register(app: typer.Typer) -> None:
    app.command("models")(models)
    app.command("train")(train)
    app.command("predict")(predict)


@handle_errors
def models(
    format: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="Output format."),
    output: Path | None = OutputOption,
) -> None:
    """List the registered reference models with their held-out metrics."""
    from ..models.registry import REFERENCE_MODELS, describe

    rows = [describe(name) for name in sorted(REFERENCE_MODELS)]
    if format == TableOrJson.json:
        emit_json(rows, output)
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
    name: str = typer.Argument(..., help="Reference model to train: bert, lstm, cnn, vit or mlm."),
    device: str = typer.Option("cpu", "--device", help="cpu or cuda."),
    seed: int = typer.Option(0, "--seed", help="Seed for initialisation and shuffling."),
    preset: str = typer.Option("full", "--preset", help="full (the shipped size) or tiny (seconds, for tests)."),
    out: Path | None = typer.Option(None, "--out", help="Folder to write (default: checkpoints/NAME)."),
    data_dir: Path | None = typer.Option(None, "--data-dir",
                                         help="Shared data folder with corpus/ (mlm only; default: $XAUDIT_DATA_DIR)."),
) -> None:
    """Train a reference model: safetensors weights plus a JSON model card."""
    from ..training.recipes import train as run_training
    from ..validation import check_choice

    check_choice("device", device, ["cpu", "cuda"])
    target = out or Path("checkpoints") / name
    with RichProgress() as progress:
        card = run_training(name, target, seed=seed, device=device, preset=preset, progress=progress,
                            data_dir=data_dir)
    metrics = card["metrics"]
    stderr.print(f"trained {name} in {card['wall_time_s']} s on {card['device']}: "
                 f"test accuracy {metrics['test_accuracy']:.4f} (n={metrics['test_n']}); wrote {target}")


@handle_errors
def predict(
    model: str = typer.Option(..., "--model", "-m", help="Reference model name, model folder or org/name hub id."),
    text: list[str] = typer.Option(None, "--text", help="Text to classify (repeatable)."),
    input_file: Path | None = typer.Option(None, "--input", help="txt (one per line) / jsonl (text field) / image."),
    image: Path | None = typer.Option(None, "--image", help="PNG or .npy image with values in [0, 1]."),
    digit: int | None = typer.Option(None, "--digit", help="Index into the bundled digits test split."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Allow pickle checkpoints (unsafe)."),
    format: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="Output format."),
    output: Path | None = OutputOption,
) -> None:
    """Predict with a model: label and probability for each input."""
    from .. import inputs as input_reading
    from ..models import load_model
    from ..models.predict import predict_proba

    adapter = load_model(model, allow_pickle=allow_pickle)
    given = input_reading.collect(adapter.modality, texts=text, input_file=input_file, image=image, digit=digit,
                                  channels=getattr(adapter, "channels", 1))
    with RichProgress() as progress:
        probabilities = predict_proba(adapter, given.items, progress=progress)
    rows = []
    for item_id, item, probs, truth in zip(given.ids, given.items, probabilities, given.true_labels):
        best = int(probs.argmax())
        rows.append({"id": item_id, "input": item if isinstance(item, str) else item_id,
                     "prediction": adapter.labels[best], "probability": float(probs[best]),
                     "true_label": None if truth is None else adapter.labels[truth]})
    if format == TableOrJson.json:
        emit_json({"model": adapter.name, "predictions": rows}, output)
        return
    table = Table(title=f"Predictions of {adapter.name}")
    for column in ("input", "prediction", "probability", "true label"):
        table.add_column(column)
    for row in rows:
        table.add_row(Text(str(row["input"])), Text(row["prediction"]), f"{row['probability']:.3f}",
                      Text(row["true_label"] or ""))
    emit_rich([table], output)
