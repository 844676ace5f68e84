"""``xaudit evaluate``: how far to trust each attribution method on a model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .common import RichProgress, command_line, emit_formatted, handle_errors
from .options import (AllowPickle, BatchSize, DataDir, Device, DeviceOption, Format, Model, NEvaluate, Output,
                      OutputFormat, Seed, Target, command, explicit, method_list_help,
                      with_method_options)


def register(app: typer.Typer) -> None:
    command(app, "evaluate", evaluate, aliases={"--methods": "--method", "--n": "--n-evaluate"})


@with_method_options
@handle_errors
def evaluate(
    ctx: typer.Context,
    model: Model,
    method: Annotated[Optional[str], typer.Option("--method", metavar="<method,...>", help=method_list_help(
        "to evaluate (default: every one the model supports but {named_only}; 'all': every one it supports)"))] = None,
    against: Annotated[str, typer.Option("--against", metavar="<method,...>", help="Reference explanations for rank "
                                         "correlation.")] = "blankout,saliency",
    n_evaluate: NEvaluate = 200,
    layers: Annotated[Optional[str], typer.Option("--layers", metavar="<layer,...>",
                                                  help="Layers of attention methods, e.g. 1,2,6 "
                                                  "(default: all).")] = None,
    target: Target = "true",
    input_file: Annotated[Optional[Path], typer.Option("--input", help="jsonl with text and label fields "
                                                       "(default: the model's test split).", dir_okay=False)] = None,
    data_dir: DataDir = None,
    stability_samples: Annotated[int, typer.Option("--stability-samples", help="Noise samples for "
                                                   "max-sensitivity (0: skip).")] = 3,
    noise: Annotated[float, typer.Option("--noise", help="Noise scale for max-sensitivity.")] = 0.05,
    removal: Annotated[bool, typer.Option("--removal/--no-removal", help="Compute AOPC and deletion "
                                          "curves.")] = True,
    removal_layers: Annotated[str, typer.Option("--removal-layers", metavar="<last|all|layer,...>",
                                                help="Layers of attention methods for AOPC "
                                                "and deletion curves: last, all, or e.g. 1,6 (each costs many "
                                                "forward passes).")] = "last",
    batch_size: BatchSize = 64,
    seed: Seed = 0,
    sanity: Annotated[bool, typer.Option("--sanity/--no-sanity", help="Also run the cascading model-parameter "
                                         "randomisation test (Adebayo et al. 2018): rank correlation of each "
                                         "method's scores on the trained model and with its top k layers "
                                         "re-initialised, k = 1..L; a method still correlated >= 0.5 with every "
                                         "layer random fails.")] = False,
    markdown: Annotated[Optional[Path], typer.Option("--markdown", help="Also write Abnar & Zuidema's Tables 1-2 "
                                                     "layout with the published values beside ours.",
                                                     dir_okay=False)] = None,
    comparison: Annotated[Optional[Path], typer.Option("--comparison", help="Also write the comparison of the "
                                                       "methods as Markdown: each measure's mean with its 95% "
                                                       "bootstrap interval, seconds per example, paired tests, the "
                                                       "sanity check and a reading generated from the numbers.",
                                                       dir_okay=False)] = None,
    protocol: Annotated[str, typer.Option("--protocol", metavar="<xaudit|paper>", help="Definitions of the "
                                          "references and the rank correlation: xaudit (signed blank-out, L2 "
                                          "gradient norm, average-rank Spearman over words) or paper (Abnar & "
                                          "Zuidema's code: |Δp| blank-out, |Σ ∂(p0−p1)/∂e|, dense-rank formula "
                                          "over the whole sequence).")] = "xaudit",
    allow_pickle: AllowPickle = False,
    device: DeviceOption = Device.cpu,
    format: OutputFormat = Format.table,
    output: Output = None,
    method_params: dict[str, Any] | None = None,
) -> None:
    """Faithfulness (Spearman vs references, AOPC, deletion), sparsity (Gini) and stability of methods.

    \b
    Examples: xaudit evaluate --model bert --method attention,rollout,flow --n-evaluate 500
              xaudit evaluate --model bert --method all --sanity --steps 20 --noise-samples 5 --comparison c.md
    """
    from ..evaluation.session import evaluate_model, parse_layers
    from ..validation import split_csv

    chosen_removal = removal_layers if removal_layers in ("last", "all") else parse_layers("removal_layers",
                                                                                            removal_layers)
    with RichProgress() as progress:
        result, card = evaluate_model(
            model, methods=split_csv(method), against=split_csv(against), n=n_evaluate,
            layers=parse_layers("layers", layers), target=target or "true", input_file=input_file,
            data_dir=data_dir, stability_samples=stability_samples, noise=noise, removal=removal,
            removal_layers=chosen_removal, batch_size=batch_size, seed=seed, sanity=sanity, paper_tables=markdown is not None,
            protocol=protocol, method_params=method_params or {},
            given_params=explicit(ctx, method_params or {}, as_flags=False), allow_pickle=allow_pickle,
            device=device.value, progress=progress)
    from ..evaluation.paper_tables import markdown as paper_markdown
    from ..render.evaluation_terminal import render

    from ..evaluation.comparison import markdown as comparison_markdown

    also = {markdown: paper_markdown(result, card, command_line())} if markdown is not None else {}
    if comparison is not None:
        also[comparison] = comparison_markdown(result, command_line())
    emit_formatted(format, output, payload=result.to_dict, frame=result.to_frame, tables=lambda: render(result),
                   also=also)
