"""``xaudit cloze``: per-demographic P@k tables of a masked LM on MozArt.

Option parsing only; :func:`audit_cloze` runs :func:`xaudit.cloze.run_cloze` and writes the
result, and ``xaudit fairness --groups MN,FN,MNN,FNN`` reuses it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ParameterError
from ..validation import split_csv
from .common import RichProgress, emit_formatted, handle_errors, warn
from .options import Device, DeviceOption, Format, OptionalModel, Output, OutputFormat, command

MozartFolder = Annotated[Optional[Path], typer.Option("--mozart", help="MozArt folder (default: "
                                                      "$XAUDIT_DATA_DIR/mozart).", file_okay=False, exists=True)]
KValues = Annotated[str, typer.Option("--k", metavar="<k,...>", help="Comma-separated k values for P@k.")]
Languages = Annotated[str, typer.Option("--languages", metavar="<language,...>", help="Comma-separated languages.")]
Predictions = Annotated[Optional[Path], typer.Option("--predictions", help="Audit saved top-k predictions (JSONL) "
                                                     "instead of running a model.", dir_okay=False, exists=True)]
SavePredictions = Annotated[Optional[Path], typer.Option("--save-predictions", help="Also write the model's "
                                                         "top-k words per sentence (JSONL); for a tabular --model, "
                                                         "its decisions with the label and group columns (.csv, "
                                                         ".parquet or .jsonl).", dir_okay=False)]


def register(app: typer.Typer) -> None:
    command(app, "cloze", cloze, aliases={"--data": "--mozart"})


def parse_k(value: str) -> list[int]:
    """``"1,5"`` -> ``[1, 5]`` (duplicates dropped); ParameterError for a part that is not an integer."""
    values = []
    for part in split_csv(value):
        try:
            k = int(part)
        except ValueError:
            raise ParameterError(f"The 'k' parameter must be a comma-separated list of ints >= 1. Got {part!r} "
                                 "instead.") from None
        if k not in values:
            values.append(k)
    return values


@handle_errors
def cloze(
    mozart: MozartFolder = None,
    model: OptionalModel = None,
    k: KValues = "1,5",
    languages: Languages = "en,es,de,fr",
    groups: Annotated[str, typer.Option("--groups", metavar="<group,...>",
                                        help="Comma-separated groups.")] = "MN,FN,MNN,FNN",
    predictions: Predictions = None,
    save_predictions: SavePredictions = None,
    device: DeviceOption = Device.cpu,
    format: OutputFormat = Format.table,
    output: Output = None,
) -> None:
    """Cloze fairness on MozArt: P@k per group and language, with the paper's margins.

    \b
    Example: xaudit cloze --model mlm --k 1,5 --languages en,de --format json -o cloze.json
    """
    audit_cloze(mozart=mozart, model=model, k=k, languages=languages, groups=groups, predictions=predictions,
                save_predictions=save_predictions, device=device, format=format, output=output)


def audit_cloze(*, mozart: Path | None, model: str | None, k: str, languages: str, groups: str,
                predictions: Path | None, save_predictions: Path | None, device: Device, format: Format,
                output: Path | None) -> None:
    """Run :func:`xaudit.cloze.run_cloze` from command-line strings and write the result."""
    from ..cloze import run_cloze
    from ..render.cloze_tables import rich_tables

    with RichProgress() as progress:
        result = run_cloze(mozart=mozart, model=model, k_values=parse_k(k), languages=split_csv(languages),
                           groups=split_csv(groups), predictions=predictions, save_predictions=save_predictions,
                           device=device.value, progress=progress)
    for message in result.below_human():
        warn(message)
    emit_formatted(format, output, payload=result.to_dict, frame=result.to_frame, tables=lambda: rich_tables(result))
