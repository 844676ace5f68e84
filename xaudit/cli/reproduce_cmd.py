"""``xaudit reproduce``: Abnar & Zuidema's Tables 1-2 under both protocols, as one Markdown report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import RichProgress, command_line, handle_errors, stderr
from .options import BatchSize, DataDir, Device, DeviceOption, NEvaluate, Seed, command


def register(app: typer.Typer) -> None:
    command(app, "reproduce", reproduce)


@handle_errors
def reproduce(
    model: Annotated[str, typer.Option("--model", "-m", metavar="<name|dir>", help="A model deciding at [CLS] "
                                       "with two classes (default: gpt2-encoder, the paper's architecture).")
                     ] = "gpt2-encoder",
    n_evaluate: NEvaluate = 2000,
    data_dir: DataDir = None,
    batch_size: BatchSize = 64,
    seed: Seed = 0,
    device: DeviceOption = Device.cpu,
    output: Annotated[Path, typer.Option("--output", "-o", help="The Markdown report to write.", dir_okay=False)
                      ] = Path("reports/abnar-zuidema-reproduction.md"),
) -> None:
    """Raw attention, rollout and flow vs blank-out and gradients under the paper's and xaudit's protocols.

    \b
    Example: xaudit reproduce --model gpt2-encoder --n-evaluate 2000 -o reports/abnar-zuidema-reproduction.md
    """
    from ..atomic import write_text
    from ..evaluation.reproduction import reproduce as run
    from ..evaluation.reproduction_report import markdown

    with RichProgress() as progress:
        result = run(model, n_evaluate, data_dir=data_dir, seed=seed, batch_size=batch_size, device=device.value,
                     progress=progress)
    write_text(output, markdown(result, command_line()))
    stderr.print(f"wrote {output}")
