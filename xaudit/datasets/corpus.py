"""The multilingual text corpus the reference masked LM ``mlm`` is trained on.

Read from ``DATA/corpus/`` (``--data-dir`` or ``$XAUDIT_DATA_DIR``), never copied:

- ``leipzig/{deu,eng,fra,spa}_*.txt`` — Leipzig Corpora Collection samples (Goldhahn,
  Eckart & Quasthoff 2012), one sentence per line; each line is a segment.
- ``gutenberg/{de,en,es,fr}_*.txt`` — Project Gutenberg books. Everything up to and
  including the ``*** START OF ... ***`` line and from the ``*** END OF ... ***`` line on
  (the PG header, licence and footer) is removed; a book without both markers is an
  error. Paragraphs (blank-line separated, lines joined) are the segments.

Held-out split: within each file, in file order, the last 2% of segments are the test
split and the 1% before them the dev split; the rest is training text. Contiguous tails
keep neighbouring book paragraphs out of the held-out text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError

LANGUAGES = ("en", "es", "de", "fr")
CORPUS_FOLDER = "corpus"
DEV_FRACTION = 0.01
TEST_FRACTION = 0.02
_LEIPZIG_CODES = {"eng": "en", "spa": "es", "deu": "de", "fra": "fr"}
_PG_START = re.compile(r"^\*\*\*\s*START OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.MULTILINE | re.IGNORECASE)
_PG_END = re.compile(r"^\*\*\*\s*END OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.MULTILINE | re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass
class CorpusSplits:
    """Segments per language for each split, and what was read (for the model card)."""

    train: dict[str, list[str]] = field(default_factory=dict)
    dev: dict[str, list[str]] = field(default_factory=dict)
    test: dict[str, list[str]] = field(default_factory=dict)
    files: list[dict[str, object]] = field(default_factory=list)

    def recipe(self) -> dict[str, object]:
        """A JSON description of the corpus and its split."""
        return {
            "source": "Leipzig Corpora Collection 10K samples + Project Gutenberg books (headers stripped)",
            "split": f"per file, last {TEST_FRACTION:.0%} of segments = test, the {DEV_FRACTION:.0%} before = dev",
            "files": self.files,
            "segments": {name: {lang: len(part.get(lang, [])) for lang in LANGUAGES}
                         for name, part in (("train", self.train), ("dev", self.dev), ("test", self.test))},
        }


def strip_gutenberg(text: str, name: str = "book") -> str:
    """The body of a Project Gutenberg book: between its START and END marker lines."""
    start, end = _PG_START.search(text), _PG_END.search(text)
    if start is None or end is None or end.start() < start.end():
        raise DataError(f"{name}: no Project Gutenberg START/END markers; cannot strip the header and licence")
    return text[start.end() : end.start()]


def gutenberg_paragraphs(text: str, name: str = "book") -> list[str]:
    """Paragraphs of a PG book's body, each joined onto one line."""
    body = strip_gutenberg(text.lstrip("\ufeff"), name)
    paragraphs = (" ".join(block.split()) for block in _BLANK_LINES.split(body))
    return [p for p in paragraphs if p]


def _language(path: Path) -> str | None:
    prefix = path.name.split("_", 1)[0].split("-", 1)[0]
    language = _LEIPZIG_CODES.get(prefix, prefix)
    return language if language in LANGUAGES else None


def _segments(path: Path, kind: str) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read corpus file {path}: {exc}") from None
    if kind == "gutenberg":
        return gutenberg_paragraphs(text, str(path))
    return [line.strip() for line in text.splitlines() if line.strip()]


def read_corpus(root: Path) -> CorpusSplits:
    """All corpus files under ``root`` (the ``corpus`` folder), split per file (see module doc)."""
    if not root.is_dir():
        raise DataError(f"corpus folder not found: {root}")
    splits = CorpusSplits()
    for kind in ("leipzig", "gutenberg"):
        for path in sorted((root / kind).glob("*.txt")):
            language = _language(path)
            if language is None:
                continue
            segments = _segments(path, kind)
            n_test = max(1, round(TEST_FRACTION * len(segments)))
            n_dev = max(1, round(DEV_FRACTION * len(segments)))
            cut_dev, cut_test = len(segments) - n_test - n_dev, len(segments) - n_test
            if cut_dev < 1:
                raise DataError(f"corpus file {path} has too few segments ({len(segments)}) to split")
            for part, chunk in ((splits.train, segments[:cut_dev]), (splits.dev, segments[cut_dev:cut_test]),
                                (splits.test, segments[cut_test:])):
                part.setdefault(language, []).extend(chunk)
            splits.files.append({"file": f"{kind}/{path.name}", "language": language, "segments": len(segments),
                                 "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
    if not splits.files:
        raise DataError(f"no corpus files for {', '.join(LANGUAGES)} under {root}/leipzig or {root}/gutenberg")
    return splits
