"""Atomic file writes: write a temporary file beside the target, then rename."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

_UMASK = os.umask(0)  # read once, at import (single-threaded), and put back at once
os.umask(_UMASK)


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it over the target on success.

    On any exception the temporary file is removed and the target is left untouched.
    """
    target = Path(target)
    with _temporary(target) as tmp:
        yield tmp
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, target)


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_all(files: dict[str | os.PathLike[str], str | bytes]) -> None:
    """Write several files so that either all of them appear or none: every temporary file is
    written first, and only then are they renamed into place. A target's old content is kept
    aside until every rename has succeeded, so a failure part-way through the renames puts the
    old files back (and removes the new ones that had no old file)."""
    with ExitStack() as stack:
        staged = []
        for target, content in files.items():
            tmp = stack.enter_context(_temporary(Path(target)))
            if isinstance(content, bytes):
                tmp.write_bytes(content)
            else:
                tmp.write_text(content, encoding="utf-8")
            staged.append((tmp, Path(target)))
        _replace_all(staged, stack)


def _replace_all(staged: list[tuple[Path, Path]], stack: ExitStack) -> None:
    """Rename each temporary file over its target; on failure undo the renames already made."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for tmp, target in staged:
            backup = None
            if target.exists():
                backup = stack.enter_context(_temporary(target, ".old"))
                shutil.copy2(target, backup)
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
            os.replace(tmp, target)
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)
        raise


@contextmanager
def _temporary(target: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file beside ``target``, removed on exit if it is still there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
