"""``xaudit attribute``: explain a model's predictions with one or several methods."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from .common import Format, OutputOption, RichProgress, emit_formatted, handle_errors, warn

if TYPE_CHECKING:
    import pandas as pd

    from ..attribution.explain import Explanation


def register(app: typer.Typer) -> None:
    app.command("attribute")(attribute)


@handle_errors
def attribute(
    model: str = typer.Option(..., "--model", "-m", help="Reference model name, model folder or org/name hub id."),
    method: str = typer.Option("saliency", "--method", help="Comma-separated methods: attention, blankout, flow, "
                               "ig, rollout, saliency, taylor."),
    text: list[str] = typer.Option(None, "--text", help="Text to explain (repeatable)."),
    input_file: Path | None = typer.Option(None, "--input", help="txt (one example per line), jsonl (text field), "
                                           "or an image file."),
    image: Path | None = typer.Option(None, "--image", help="PNG or .npy image (values in [0, 1])."),
    digit: int | None = typer.Option(None, "--digit", help="Index into the bundled digits test split."),
    target: str | None = typer.Option(None, "--target", help="Class to explain, by label or index "
                                      "(default: the predicted class)."),
    layer: int | None = typer.Option(None, "--layer", help="Layer for attention, rollout and flow (1-based; "
                                     "default: the last)."),
    output_index: int | None = typer.Option(None, "--output-index", help="Output position whose attention is "
                                            "explained (default: [CLS], or the mask of a masked LM)."),
    baseline: str | None = typer.Option(None, "--baseline", help="Baseline for taylor and ig: unk (default), pad, "
                                        "zero, mask (text) or black (default), zero (images)."),
    order: int = typer.Option(1, "--order", help="Taylor order: 1 or 2."),
    steps: int = typer.Option(50, "--steps", help="Integration steps for ig."),
    words: bool = typer.Option(True, "--words/--tokens", help="Sum subword scores into words (text models)."),
    batch_size: int = typer.Option(32, "--batch-size", help="Examples per batch."),
    seed: int = typer.Option(0, "--seed", help="Seed for anything random."),
    png: Path | None = typer.Option(None, "--png", help="Also write image heatmaps to this PNG file."),
    allow_pickle: bool = typer.Option(False, "--allow-pickle", help="Allow pickle checkpoints (unsafe)."),
    device: str = typer.Option("cpu", "--device", help="cpu or cuda."),
    format: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    output: Path | None = OutputOption,
) -> None:
    """Explain predictions: token (or pixel) scores from each method, coloured by magnitude."""
    from .. import inputs as input_reading
    from ..attribution.base import get_method
    from ..attribution.explain import explain
    from ..models import load_model
    from ..validation import check_choice, check_int, split_csv

    names = split_csv(method)
    if not names:
        from ..errors import ParameterError

        raise ParameterError("no method given; use --method with one or more of the registered methods")
    check_int("batch_size", batch_size, minimum=1)
    check_choice("device", device, ["cpu", "cuda"])
    options = {"taylor": dict(order=order, baseline=baseline), "ig": dict(n_steps=steps, baseline=baseline),
               "attention": dict(output_index=output_index), "rollout": dict(output_index=output_index),
               "flow": dict(output_index=output_index)}
    methods = [get_method(name, **options.get(name, {})) for name in dict.fromkeys(names)]
    adapter = load_model(model, allow_pickle=allow_pickle, device=device)
    given = input_reading.collect(adapter.modality, texts=text, input_file=input_file, image=image, digit=digit,
                                  channels=getattr(adapter, "channels", 1))
    with RichProgress() as progress:
        explanations = explain(adapter, given.items, methods, ids=given.ids, true_labels=given.true_labels,
                               target=target, layer=layer, words=words, batch_size=batch_size, seed=seed,
                               progress=progress)
    truncated = [e for e in explanations if e.truncated_tokens]
    for e in truncated:
        warn(f"input {e.input_id} was longer than the model's {getattr(adapter, 'max_length', '?')} positions; "
             f"{e.truncated_tokens} tokens were dropped")
    also = {}
    if png is not None:
        if adapter.modality != "image":
            warn("--png applies to image models only; no PNG written")
        else:
            from ..render.heatmap_png import png_bytes

            also[png] = png_bytes(explanations)
    from ..render.attribution_terminal import render

    emit_formatted(format, output, payload=lambda: [e.to_json() for e in explanations],
                   frame=lambda: _frame(explanations), tables=lambda: render(explanations), also=also)


def _frame(explanations: list[Explanation]) -> pd.DataFrame:
    """One table of every attribution of every example."""
    import pandas as pd

    return pd.concat([a.to_frame() for e in explanations for a in e.attributions.values()], ignore_index=True)
