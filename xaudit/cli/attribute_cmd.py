"""``xaudit attribute``: explain a model's predictions with one or several methods."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from ..errors import ParameterError
from .common import RichProgress, emit_formatted, handle_errors, stderr, warn
from .options import (AllowPickle, BatchSize, DeviceOption, Device, Digit, Image, InputFile, Layer, Model, Output,
                      Format, Seed, StreamingFormat, StreamingOutputFormat, Target, Texts, command, explicit,
                      method_list_help, with_method_options)

if TYPE_CHECKING:
    from ..attribution.explain import Explanation
    from ..models.base import ModelAdapter

def register(app: typer.Typer) -> None:
    command(app, "attribute", attribute)


@with_method_options
@handle_errors
def attribute(
    ctx: typer.Context,
    model: Model,
    method: Annotated[str, typer.Option("--method", metavar="<method,...>",
                                        help=method_list_help("to run"))] = "saliency",
    texts: Texts = None,
    input_file: InputFile = None,
    image: Image = None,
    digit: Digit = None,
    data: Annotated[Optional[Path], typer.Option("--data", dir_okay=False, exists=True,
                                                 help="Table (.csv, .parquet or .jsonl) "
                                                 "for a tabular model; scores per column.")] = None,
    rows: Annotated[Optional[str], typer.Option("--rows", metavar="<row,...|start:stop>",
                                                help="Rows of --data to explain (0-based, comma "
                                                "separated, ranges such as 0:20 half-open; default all).")] = None,
    reasons: Annotated[bool, typer.Option("--reasons", help="With a tabular model: for each refused row "
                                          "(favourable score below 0.5), the columns that lowered the score most, "
                                          "as adverse-action reasons are stated, by the first --method (ig when "
                                          "none is named).")] = False,
    target: Target = None,
    layer: Layer = None,
    words: Annotated[bool, typer.Option("--words/--tokens", help="Sum subword scores into words (text "
                                        "models).")] = True,
    batch_size: BatchSize = 32,
    seed: Seed = 0,
    png: Annotated[Optional[Path], typer.Option("--png", help="Also write image heatmaps to this PNG file.",
                                                dir_okay=False)] = None,
    allow_pickle: AllowPickle = False,
    device: DeviceOption = Device.cpu,
    format: StreamingOutputFormat = StreamingFormat.table,
    output: Output = None,
    resume: Annotated[bool, typer.Option("--resume", help="With --format jsonl -o FILE: continue the "
                                         "interrupted run in FILE.partial from its last complete line.")] = False,
    method_params: dict[str, Any] | None = None,
) -> None:
    """Explain predictions: token (pixel, table column) scores from each method, coloured by magnitude.

    \b
    Examples: xaudit attribute --model bert --method flow,saliency --text "the keys to the cabinet"
              xaudit attribute --model credit --method ig,blankout --data german.csv --rows 1,7
              xaudit attribute --model bert --method saliency --input big.jsonl --format jsonl -o out.jsonl
    """
    from .. import inputs as input_reading
    from ..attribution.explain import Explanations, explain
    from ..attribution.registry import build_methods
    from ..checks import check_explanation
    from ..models.summary import summarize
    from ..render.attribution_terminal import render
    from ..validation import split_csv

    params = method_params or {}
    if reasons and not explicit(ctx, ["method"]):
        method = "ig"
    methods = build_methods(split_csv(method), params, explicit(ctx, params, as_flags=False))
    summary = summarize(model)
    check_explanation(summary, methods, layer=layer, target=target, texts=texts, input_file=input_file,
                      image=image, digit=digit, data=data)
    if reasons and (summary is None or summary.modality != "tabular" or target is not None):
        raise ParameterError("--reasons applies to a tabular model's refusals (no --target: the reasons lower "
                             "the favourable score)")
    from ..models import load_model  # torch: after the checks

    streaming = format == StreamingFormat.jsonl
    if streaming and (input_file is None or texts or summary is not None and summary.modality != "text"):
        raise ParameterError("--format jsonl streams a text model's --input file (txt or jsonl), alone")
    if resume and not (streaming and output is not None):
        raise ParameterError("--resume continues a streamed run: give --format jsonl and -o FILE")
    if streaming and png is not None:
        raise ParameterError("--png does not apply to --format jsonl")
    adapter = load_model(model, allow_pickle=allow_pickle, device=device.value)
    if streaming:
        _stream(adapter, methods, input_file, output, resume, target=target, layer=layer, words=words,
                batch_size=batch_size, seed=seed)
        return
    format = Format(format.value)
    if data is not None or adapter.modality == "tabular":
        given = input_reading.table_rows(adapter, data, rows, texts=texts, input_file=input_file, image=image,
                                         digit=digit)
        if reasons:
            _emit_reasons(adapter, given, methods[0].name, seed, format, output)
            return
    else:
        given = input_reading.collect(adapter.modality, texts=texts, input_file=input_file, image=image,
                                      digit=digit, channels=getattr(adapter, "channels", 1))
    with RichProgress() as progress:
        explanations = explain(adapter, given.items, methods, ids=given.ids, true_labels=given.true_labels,
                               target=target, layer=layer, words=words, batch_size=batch_size, seed=seed,
                               progress=progress)
    for e in explanations:
        if e.truncated_tokens:
            warn(f"input {e.input_id} was longer than the model's {getattr(adapter, 'max_length', '?')} "
                 f"positions; {e.truncated_tokens} tokens were dropped")
    result = Explanations(adapter.name, explanations)
    emit_formatted(format, output, payload=result.to_dict, frame=result.to_frame, tables=lambda: render(explanations),
                   also=_heatmap_file(png, adapter, explanations))


def _stream(adapter: ModelAdapter, methods: list[Any], input_file: Path, output: Path | None, resume: bool,
            **options: Any) -> None:
    """Explain ``input_file`` a block at a time into JSON Lines (see :mod:`xaudit.attribution.streaming`)."""
    from ..attribution.streaming import explain_to_jsonl

    with RichProgress() as progress:
        summary = explain_to_jsonl(adapter, methods, input_file, output, resume=resume, progress=progress,
                                   **options)
    if summary.truncated_inputs:
        warn(f"{summary.truncated_inputs:,} inputs were longer than the model's "
             f"{getattr(adapter, 'max_length', '?')} positions and were cut")
    if output is not None:
        resumed = f" (resumed after {summary.resumed_from:,} already done)" if summary.resumed_from else ""
        stderr.print(f"wrote {output}: {summary.explained + summary.resumed_from:,} explanations{resumed}",
                     markup=False, soft_wrap=True)


def _emit_reasons(adapter: ModelAdapter, given: Any, method: str, seed: int, format: Format,
                  output: Path | None) -> None:
    """Reasons for the refused rows among ``given`` (table rows), as table, JSON or CSV."""
    import pandas as pd

    from ..fairness.reasons import refusal_reasons
    from ..models.decisions import DEFAULT_THRESHOLD, favourable_scores
    from ..render.reasons_terminal import reasons_tables

    frame = pd.DataFrame(given.items)
    scores = favourable_scores(adapter, frame)
    result = refusal_reasons(adapter, frame, scores, DEFAULT_THRESHOLD, method=method, n=len(frame), seed=seed,
                             row_ids=[int(i) for i in given.ids])
    emit_formatted(format, output, payload=result.to_dict, frame=result.to_frame,
                   tables=lambda: reasons_tables(result, len(frame)))


def _heatmap_file(png: Path | None, adapter: ModelAdapter, explanations: list[Explanation]) -> dict[Path, bytes]:
    if png is None:
        return {}
    if adapter.modality != "image":
        warn("--png applies to image models only; no PNG written")
        return {}
    from ..render.heatmap_png import png_bytes

    return {png: png_bytes(explanations)}
