"""What every command shares: the error edge, the output sink, progress bars (options: ``options.py``).

Data goes to stdout (or ``-o FILE``, written atomically); messages and progress go to
stderr. An ``XauditError`` becomes one red ``Error:`` line and exit code 2 (usage) or 3
(data/model); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import atomic
from .options import Format
from ..errors import XauditError

F = TypeVar("F", bound=Callable[..., Any])

stderr = Console(stderr=True, highlight=False)
STATE: dict[str, Any] = {"debug": False, "flags": {}}
"""``--debug``, and the current command's flag for each parameter name (set as it parses)."""
INTERNAL_ERROR = 4


def fail(message: str, code: int) -> None:
    stderr.print(f"[bold red]Error:[/bold red] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    stderr.print(f"[yellow]Warning:[/yellow] {_escape(message)}", markup=True, soft_wrap=True)


def command_line() -> str:
    """The command as typed (shell-quoted), for provenance records."""
    import shlex

    return "xaudit " + " ".join(shlex.quote(arg) for arg in sys.argv[1:])


def exit_if_breached(messages: list[str]) -> None:
    """Exit 1 when an audit threshold (``--fail-on``) is breached; the report is already written."""
    if messages:
        for message in messages:
            stderr.print(f"[bold red]Breached:[/bold red] {_escape(message)}", markup=True, soft_wrap=True)
        raise typer.Exit(1)


def handle_errors(command: F) -> F:
    """Map library errors to one line and an exit code at the edge of every command."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except XauditError as exc:
            if STATE["debug"]:
                raise
            from .options import flag_names

            fail(_escape(flag_names(str(exc), STATE["flags"])), exc.exit_code)
        except KeyboardInterrupt:
            stderr.print("interrupted")
            raise typer.Exit(130) from None
        except OSError as exc:  # reading or writing a file the library did not anticipate
            if STATE["debug"]:
                raise
            fail(_escape(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")), 3)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # a bug: still one line, the traceback with --debug
            if STATE["debug"]:
                raise
            fail(_escape(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"),
                 INTERNAL_ERROR)

    return wrapper  # type: ignore[return-value]


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def emit_text(text: str, output: Path | None, also: dict[Path, str | bytes] | None = None) -> None:
    """Write ``text`` to ``output`` (or stdout) and the ``also`` files, all-or-nothing on disk."""
    text = text if text.endswith("\n") else text + "\n"
    files: dict[Path, str | bytes] = dict(also or {})
    if output is not None:
        files[output] = text
    atomic.write_all(files)
    for path in files:
        stderr.print(f"wrote {path}")
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()


def emit_json(payload: Any, output: Path | None, also: dict[Path, str | bytes] | None = None) -> None:
    emit_text(json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False), output, also)


def emit_formatted(format: Format, output: Path | None, *, payload: Callable[[], Any], frame: Callable[[], Any],
                   tables: Callable[[], list[Any]], also: dict[Path, str | bytes] | None = None) -> None:
    """Write a result as JSON (``payload()``), CSV (``frame()``, a DataFrame) or rich tables (``tables()``);
    only the chosen form is built."""
    if format == Format.json:
        emit_json(payload(), output, also)
    elif format == Format.csv:
        emit_text(frame().to_csv(index=False), output, also)
    else:
        emit_rich(tables(), output, also)


def emit_rich(renderables: list[Any], output: Path | None, also: dict[Path, str | bytes] | None = None) -> None:
    """Print rich renderables to the terminal, or their plain-text form to ``output``."""
    if output is None:
        atomic.write_all(dict(also or {}))
        for path in also or {}:
            stderr.print(f"wrote {path}")
        console = Console(highlight=False)
        for renderable in renderables:
            console.print(renderable)
        return
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, no_color=True, highlight=False)
    for renderable in renderables:
        console.print(renderable)
    emit_text(buffer.getvalue(), output, also)


class RichProgress:
    """A ``ProgressFn`` drawing one rich bar per task description, on stderr."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=stderr, transient=True, disable=not stderr.is_terminal,
        )
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def __call__(self, description: str, done: int, total: int) -> None:
        task = self._tasks.get(description)
        if task is None:
            task = self._tasks[description] = self._progress.add_task(description, total=total)
        self._progress.update(task, completed=done, total=total)
