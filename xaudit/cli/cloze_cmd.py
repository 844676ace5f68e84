"""``xaudit cloze``: per-demographic P@k tables of a masked LM on MozArt.

Option parsing only; :func:`audit_cloze` runs :func:`xaudit.cloze.run_cloze` and writes the
result, and ``xaudit fairness --groups MN,FN,MNN,FNN`` reuses it.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import ParameterError
from ..validation import split_csv
from .common import Format, OutputOption, RichProgress, emit_formatted, handle_errors


def register(app: typer.Typer) -> None:
    app.command("cloze")(cloze)


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


def emit_cloze(result, format: Format, output: Path | None) -> None:
    """Write a :class:`~xaudit.cloze.ClozeResult` as the paper's tables, JSON or CSV."""
    from ..cloze.render import rich_tables

    emit_formatted(format, output, payload=result.to_json, frame=result.to_frame, tables=lambda: rich_tables(result))


@handle_errors
def cloze(
    data: Path | None = typer.Option(None, "--data", help="MozArt folder (default: $XAUDIT_DATA_DIR/mozart)."),
    model: str | None = typer.Option(None, "--model", "-m",
                                     help="Masked LM: reference name, folder or org/name hub id (default: mlm)."),
    k: str = typer.Option("1,5", "--k", help="Comma-separated k values for P@k."),
    languages: str = typer.Option("en,es,de,fr", "--languages", help="Comma-separated languages."),
    groups: str = typer.Option("MN,FN,MNN,FNN", "--groups", help="Comma-separated groups."),
    predictions: Path | None = typer.Option(None, "--predictions",
                                            help="Audit saved predictions (JSONL) instead of running a model."),
    save_predictions: Path | None = typer.Option(None, "--save-predictions",
                                                 help="Also write the model's top-k words per sentence (JSONL)."),
    format: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    output: Path | None = OutputOption,
) -> None:
    """Cloze fairness on MozArt: P@k per group and language, with the paper's margins."""
    audit_cloze(data=data, model=model, k=k, languages=languages, groups=groups, predictions=predictions,
                save_predictions=save_predictions, format=format, output=output)


def audit_cloze(*, data: Path | None, model: str | None, k: str, languages: str, groups: str,
                predictions: Path | None, save_predictions: Path | None, format: Format, output: Path | None) -> None:
    """Run :func:`xaudit.cloze.run_cloze` from command-line strings and write the result."""
    from ..cloze import run_cloze

    with RichProgress() as progress:
        result = run_cloze(data=data, model=model, k_values=parse_k(k), languages=split_csv(languages),
                           groups=split_csv(groups), predictions=predictions, save_to=save_predictions,
                           progress=progress)
    emit_cloze(result, format, output)
