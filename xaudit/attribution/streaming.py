"""Explain a large text input a block of lines at a time, one JSON line per input (``--format jsonl``).

Memory stays flat however long the input: a block of texts is read, explained and appended to
``OUT.partial`` (flushed and synced) before the next is read. The finished file is renamed to ``OUT``
only at the end, so ``OUT`` never holds part of a run. After an interruption, ``resume`` continues
``OUT.partial`` from its last complete line (a line cut off mid-write is discarded), so no input is
repeated or lost; the lines' ids are the inputs' positions (0-based), checked on resuming.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from ..errors import DataError, ParameterError
from ..inputs import iter_text_file
from ..models.base import ModelAdapter
from ..progress import ProgressFn, silent
from .base import AttributionMethod
from .explain import explain

BLOCK_INPUTS = 512
"""Inputs read, explained and written at a time."""


@dataclass(frozen=True)
class StreamSummary:
    """What a streamed run did: inputs explained now, inputs found already done, inputs cut by the model's length."""

    explained: int
    resumed_from: int
    truncated_inputs: int


def partial_path(output: Path) -> Path:
    """Where a streamed run writes until it has finished: ``OUT.partial`` beside ``OUT``."""
    return output.with_name(output.name + ".partial")


def explain_to_jsonl(
    adapter: ModelAdapter, methods: Sequence[AttributionMethod], input_file: Path, output: Path | None, *,
    resume: bool = False, block: int = BLOCK_INPUTS, progress: ProgressFn = silent, **options: Any,
) -> StreamSummary:
    """Explain every text of ``input_file`` (txt lines or JSONL ``text`` fields) into ``output`` as JSON Lines,
    one :class:`~xaudit.attribution.explain.Explanation` per line (stdout when ``output`` is None).

    ``options`` go to :func:`~xaudit.attribution.explain.explain`. ``resume`` continues an interrupted run's
    ``OUT.partial``; without it an existing ``OUT.partial`` is an error rather than overwritten.
    """
    if resume and output is None:
        raise ParameterError("`resume` needs `output`: the file an interrupted run was writing")
    names = [m.name for m in methods]
    done = _resumable(output, adapter.name, names, resume) if output is not None else 0
    total = sum(1 for _ in iter_text_file(input_file))
    if total == 0:
        raise DataError(f"{input_file} holds no examples")
    if done > total:
        raise DataError(f"{partial_path(output)} holds {done:,} lines but {input_file} only {total:,} inputs: "
                        "it belongs to another input")
    truncated = 0
    texts = iter_text_file(input_file)
    position = done
    with _sink(output, append=done > 0) as sink:
        for chunk in _blocks(islice(texts, done, None), block):
            ids = [str(i) for i in range(position, position + len(chunk))]
            explanations = explain(adapter, chunk, methods, ids=ids, **options)
            sink.write("".join(json.dumps(e.to_dict()) + "\n" for e in explanations))
            sink.flush()
            if output is not None:
                os.fsync(sink.fileno())
            truncated += sum(1 for e in explanations if e.truncated_tokens)
            position += len(chunk)
            progress("explaining", position, total)
    if output is not None:
        os.replace(partial_path(output), output)
    return StreamSummary(position - done, done, truncated)


def _resumable(output: Path, model: str, methods: list[str], resume: bool) -> int:
    """How many inputs ``OUT.partial`` holds complete (0 when starting afresh), after checking it is this run's."""
    partial = partial_path(output)
    if not partial.exists():
        return 0
    if not resume:
        raise ParameterError(f"{partial} holds an interrupted run: add --resume to continue it, or delete it")
    kept, count, last = 0, 0, None
    with partial.open("rb") as lines:
        for line in lines:
            if not line.endswith(b"\n"):
                break
            try:
                last = json.loads(line)
            except json.JSONDecodeError:
                break
            kept += len(line)
            count += 1
    if last is not None and (last.get("id") != str(count - 1) or last.get("model") != model
                             or sorted(last.get("scores", {})) != sorted(methods)):
        raise DataError(f"{partial} was written by another run (its last line is input {last.get('id')!r} of "
                        f"model {last.get('model')!r} by {', '.join(sorted(last.get('scores', {})))}); "
                        "delete it to start afresh")
    with partial.open("r+b") as handle:  # drop a line cut off mid-write
        handle.truncate(kept)
    return count


@contextmanager
def _sink(output: Path | None, append: bool) -> Iterator[IO[str]]:
    """``OUT.partial`` opened for appending (or writing), or stdout when there is no output file."""
    if output is None:
        yield sys.stdout
        return
    with partial_path(output).open("a" if append else "w", encoding="utf-8") as handle:
        yield handle


def _blocks(items: Iterator[str], size: int) -> Iterator[list[str]]:
    while chunk := list(islice(items, size)):
        yield chunk
