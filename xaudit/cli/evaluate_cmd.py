"""``xaudit evaluate``: how far to trust each attribution method on a model."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import Format, OutputOption, RichProgress, command_line, emit_formatted, handle_errors


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate)


@handle_errors
def evaluate(
    model: str = typer.Option(..., "--model", "-m", help="Reference model name, model folder or org/name hub id."),
    methods: str | None = typer.Option(None, "--methods", help="Comma-separated methods to evaluate "
                                       "(default: every method the model supports)."),
    against: str = typer.Option("blankout,saliency", "--against", help="Reference explanations for rank correlation."),
    n: int = typer.Option(200, "--n", help="Number of test examples."),
    layers: str | None = typer.Option(None, "--layers", help="Layers of attention methods, e.g. 1,2,6 "
                                      "(default: all)."),
    target: str = typer.Option("true", "--target", help="Explain the true label (true) or the prediction "
                               "(predicted)."),
    input_file: Path | None = typer.Option(None, "--input", help="jsonl with text and label fields (default: the "
                                           "reference model's test split)."),
    stability_samples: int = typer.Option(3, "--stability-samples", help="Noise samples for max-sensitivity "
                                          "(0: skip)."),
    noise: float = typer.Option(0.05, "--noise", help="Noise scale for max-sensitivity."),
    removal: bool = typer.Option(True, "--removal/--no-removal", help="Compute AOPC and deletion curves."),
    removal_layers: str = typer.Option("last", "--removal-layers", help="Layers of attention methods for AOPC "
                                       "and deletion curves: last, all, or e.g. 1,6 (each costs many forward "
                                       "passes)."),
    batch_size: int = typer.Option(64, "--batch-size", help="Examples per batch."),
    seed: int = typer.Option(0, "--seed", help="Seed for noise and anything random."),
    markdown: Path | None = typer.Option(None, "--markdown", help="Also write Abnar & Zuidema's Tables 1-2 layout "
                                         "with the published values beside ours."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Allow pickle checkpoints (unsafe)."),
    format: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    output: Path | None = OutputOption,
) -> None:
    """Faithfulness (Spearman vs references, AOPC, deletion), sparsity (Gini) and stability of methods."""
    from ..attribution.base import METHODS, get_method
    from ..errors import ParameterError
    from ..datasets.reference import held_out_examples
    from ..evaluation.paper_tables import markdown as paper_markdown
    from ..evaluation.runner import evaluate as run_evaluation
    from ..inputs import read_labelled_texts
    from ..models import load_model
    from ..models.registry import card_of
    from ..render.evaluation_terminal import render
    from ..validation import check_choice, check_float, check_int, split_csv

    check_int("n", n, minimum=1)
    check_int("stability_samples", stability_samples, minimum=0)
    check_float("noise", noise, minimum=0.0)
    check_choice("target", target, ["true", "predicted"])
    layer_list = _layers("layers", layers)
    removal_choice = removal_layers if removal_layers in ("last", "all") else _layers("removal_layers", removal_layers)
    adapter = load_model(model, allow_pickle=allow_pickle)
    get_method("saliency")  # fills the registry
    names = split_csv(methods) or [m for m in sorted(METHODS) if "attentions" not in METHODS[m].requires
                                   or adapter.has_attentions]
    chosen = [get_method(name) for name in dict.fromkeys(names)]
    references = [get_method(name) for name in dict.fromkeys(split_csv(against))]
    too_deep = [layer for layer in layer_list + (removal_choice if isinstance(removal_choice, list) else [])
                if layer > adapter.attention_layers]
    if too_deep:
        raise ParameterError(f"The 'layers' parameter must be ints >= 1 and <= {adapter.attention_layers} for "
                             f"model {adapter.name!r}. Got {too_deep[0]} instead.")
    if markdown is not None and (not adapter.has_attentions or not {"attention", "rollout", "flow"} & set(names)):
        raise ParameterError("--markdown writes Abnar & Zuidema's tables: it needs a transformer and the methods "
                             "attention, rollout and/or flow")
    if input_file is not None and adapter.modality != "text":
        raise ParameterError("--input holds texts; for image models evaluate uses the digits test split")
    card = card_of(model)
    if input_file is not None:
        items, labels = read_labelled_texts(input_file, adapter.labels)
        items, labels, data = items[:n], labels[:n], f"{input_file.name}, {min(n, len(items))} examples"
    else:
        split = held_out_examples(card, n, vocabulary=adapter.labels)
        items, labels, data = split.inputs, split.labels, split.description
    with RichProgress() as progress:
        result = run_evaluation(adapter, items, labels, chosen, references, layers=layer_list or None,
                                target=target, batch_size=batch_size, stability_samples=stability_samples,
                                noise=noise, removal=removal, removal_layers=removal_choice, seed=seed,
                                progress=progress)
    result.settings["data"] = data
    also = {markdown: paper_markdown(result, card, command_line())} if markdown is not None else {}
    emit_formatted(format, output, payload=result.to_json, frame=result.to_frame, tables=lambda: render(result),
                   also=also)


def _layers(name: str, value: str | None) -> list[int]:
    from ..errors import ParameterError
    from ..validation import split_csv

    parts = split_csv(value)
    if not all(part.isdigit() and int(part) >= 1 for part in parts):
        raise ParameterError(f"The {name!r} parameter must be comma-separated ints >= 1. Got {value!r} instead.")
    return [int(part) for part in parts]
