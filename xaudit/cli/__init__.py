"""The ``xaudit`` command line: a thin typer app over the library."""

from __future__ import annotations

import typer

from .._version import __version__
from .common import STATE

app = typer.Typer(
    name="xaudit",
    help="Explainability and fairness audits for trained neural networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"xaudit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    STATE["debug"] = debug


from . import (  # noqa: E402  (they register)
    attribute_cmd, cloze_cmd, diff_cmd, evaluate_cmd, fairness_cmd, models_cmd, report_cmd, reproduce_cmd,
)

models_cmd.register(app)
attribute_cmd.register(app)
evaluate_cmd.register(app)
reproduce_cmd.register(app)
fairness_cmd.register(app)
report_cmd.register(app)
cloze_cmd.register(app)
diff_cmd.register(app)


def main() -> None:
    app()
