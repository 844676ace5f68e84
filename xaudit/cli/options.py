"""One definition of every option that several commands take (``Annotated`` aliases, as in
huggingface_hub's CLI), the command class that keeps old spellings working, and the
options built from the attribution-method registry.

Defaults stay with each command (``seed: Seed = 0``); names, help and types live here.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperCommand


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class StreamingFormat(str, Enum):
    """:class:`Format` plus JSON Lines, for commands that can write one result per input as they go."""

    table = "table"
    json = "json"
    csv = "csv"
    jsonl = "jsonl"


class TableOrJson(str, Enum):
    table = "table"
    json = "json"


class Device(str, Enum):
    cpu = "cpu"
    cuda = "cuda"


Model = Annotated[str, typer.Option("--model", "-m", metavar="<name|dir|hub-id>",
                                    help="Reference model name (see `xaudit models`), model "
                                    "folder or org/name hub id.")]
OptionalModel = Annotated[Optional[str], typer.Option("--model", "-m", metavar="<name|dir|hub-id>",
                                                      help="Reference model name, model "
                                                      "folder or org/name hub id.")]
OutputFormat = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
StreamingOutputFormat = Annotated[StreamingFormat, typer.Option(
    "--format", "-f", help="Output format; jsonl streams --input a block at a time, one JSON line per input "
    "(flat memory; -o FILE is renamed into place when done, --resume continues an interrupted run).")]
SmallOutputFormat = Annotated[TableOrJson, typer.Option("--format", "-f", help="Output format.")]
Output = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout "
                                                "(atomically).", dir_okay=False)]
Seed = Annotated[int, typer.Option("--seed", help="Seed for everything random.")]
DeviceOption = Annotated[Device, typer.Option("--device", help="Where the model runs.")]
AllowPickle = Annotated[bool, typer.Option("--allow-pickle", help="Allow pickle checkpoints (unsafe: only for "
                                           "files you trust; read with torch.load(weights_only=True)).")]
DataDir = Annotated[Optional[Path], typer.Option("--data-dir", help="Shared data folder (default: "
                                                 "$XAUDIT_DATA_DIR, else ../shared/data).", file_okay=False)]
Texts = Annotated[Optional[list[str]], typer.Option("--text", metavar="<text>", help="Text to explain (repeatable).")]
InputFile = Annotated[Optional[Path], typer.Option("--input", help="txt (one example per line), jsonl (text "
                                                   "field), or an image file.", dir_okay=False, exists=True)]
Image = Annotated[Optional[Path], typer.Option("--image", help="PNG or .npy image (values in [0, 1]).",
                                               dir_okay=False, exists=True)]
Digit = Annotated[Optional[int], typer.Option("--digit", help="Index into the bundled digits test split.")]
BatchSize = Annotated[int, typer.Option("--batch-size", help="Examples per batch.", min=1)]
Target = Annotated[Optional[str], typer.Option("--target", metavar="<label|index|predicted|true>",
                                               help="Class to explain: a label or class index, "
                                               "'predicted' (the model's prediction) or 'true' (the input's "
                                               "label).")]
Layer = Annotated[Optional[int], typer.Option("--layer", help="Layer of attention methods (1-based; default: the "
                                              "last).")]
NEvaluate = Annotated[int, typer.Option("--n-evaluate", help="Held-out examples to evaluate explanations on.",
                                        min=0)]
Groups = Annotated[Optional[str], typer.Option("--groups", metavar="<group,...>",
                                               help="Groups to report, comma separated, in this "
                                               "order.")]


def method_list_help(what: str) -> str:
    """Help listing the registered methods; ``{named_only}`` in ``what`` names those run only when asked for."""
    from ..attribution.registry import METHODS

    named_only = " and ".join(name for name, m in METHODS.items() if not m.in_defaults) or "none"
    return f"Comma-separated attribution methods {what.format(named_only=named_only)}: {', '.join(METHODS)}."


class XauditCommand(TyperCommand):
    """A command that accepts ``--debug`` anywhere and the old spellings in ``aliases``."""

    aliases: dict[str, str] = {}

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        from .common import STATE

        STATE["flags"] = {p.name: p.opts[0] for p in self.params if p.opts}  # for messages at the error edge
        if "--debug" in args:
            STATE["debug"] = True
            args = [arg for arg in args if arg != "--debug"]
        return super().parse_args(ctx, [_rename(arg, self.aliases) for arg in args])


def _rename(arg: str, aliases: dict[str, str]) -> str:
    name, sep, value = arg.partition("=")
    return aliases[name] + sep + value if name in aliases else arg


def command(app: typer.Typer, name: str, function: Callable[..., Any], aliases: dict[str, str] | None = None,
            ) -> None:
    """Register ``function`` as ``xaudit NAME``; ``aliases`` maps old option spellings (hidden, kept
    for one release) to the current ones."""
    cls = type(f"{name.title()}Command", (XauditCommand,), {"aliases": dict(aliases or {})})
    app.command(name, cls=cls)(function)


def with_method_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add one option per declared method parameter (``--order``, ``--steps``, ``--baseline``, ...)
    to ``function``, which receives them as a dict in ``method_params``.

    A method that declares a parameter gets its option, its help text and its checks without
    any edit here or in the command.
    """
    from ..attribution.registry import METHODS, method_options

    declared = method_options()
    users = {name: [m for m, cls in METHODS.items() if any(p.name == name for p in cls.parameters)]
             for name in declared}
    signature = inspect.signature(function, eval_str=True)
    base = [p for p in signature.parameters.values() if p.name != "method_params"]
    extra = []
    for param in declared.values():
        help_text = f"{param.help} ({', '.join(users[param.name])})"
        metavar = param.metavar or (f"<{'|'.join(map(str, param.choices))}>" if param.choices else None)
        default = typer.Option(param.default, param.option, help=help_text, metavar=metavar,
                               show_default=param.default is not None)
        extra.append(inspect.Parameter(param.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                       annotation=Optional[param.kind]))

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        method_params = {name: kwargs.pop(name) for name in declared}
        return function(*args, method_params=method_params, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*base, *extra])  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in [*base, *extra]}
    return wrapper


def explicit(ctx: typer.Context, names: Iterable[str], as_flags: bool = True) -> list[str]:
    """The options among ``names`` that the user gave (not left at their defaults), as flags
    (or as parameter names)."""
    flags = {p.name: p.opts[0] for p in ctx.command.params} if as_flags else {}
    return [flags.get(name, name) for name in names
            if (source := ctx.get_parameter_source(name)) is not None and source.name != "DEFAULT"]


FLAG_REFERENCE = re.compile(r"`([a-z][a-z0-9_]*)`")


def flag_names(message: str, flags: dict[str, str]) -> str:
    """Replace the `parameter` names in a library message by the current command's flags."""
    return FLAG_REFERENCE.sub(lambda m: flags.get(m.group(1), m.group(0)), message)


Column = Optional[str]
LabelCol = Annotated[Column, typer.Option("--label-col", metavar="<column>",
                                          help="True label column of the predictions table.")]
PredCol = Annotated[Column, typer.Option("--pred-col", metavar="<column>",
                                         help="Prediction column (0/1, or see --positive).")]
ScoreCol = Annotated[Column, typer.Option("--score-col", metavar="<column>",
                                          help="Score column, used with --threshold.")]
Threshold = Annotated[Optional[float], typer.Option("--threshold", help="Scores >= this are positive (default "
                                                    "0.5).")]
Positive = Annotated[Column, typer.Option("--positive", metavar="<label>",
                                          help="The favourable label when labels are not 0/1.")]
GroupCols = Annotated[Column, typer.Option("--group-cols", metavar="<column,...>",
                                           help="Group column(s), comma separated; several form "
                                           "intersectional groups such as Female/Black.")]
Define = Annotated[Optional[list[str]], typer.Option("--define", metavar="<name=column:value&...>",
                                                     help="Group from several columns, repeatable: "
                                                     "'MN=sex:male&native:1' ('|' between accepted values).")]
