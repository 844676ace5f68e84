"""The MozArt cloze data (Cabello Piqueras & Søgaard 2022, COLING), validated row by row.

One JSONL file per language, ``{language}_data_with_annotations.jsonl``, one row per
(sentence x annotator). Every row is checked and what was changed, kept with a note,
left out of the groups or dropped is counted by reason in a :class:`LoadReport`:

- dropped: a required field (``s_id``, ``text``, ``true_mask``) missing, a text without
  exactly one ``[MASK]``, a text that differs from the first row of its ``s_id``, or no
  answer (null, NaN or blank);
- no group: gender or nativeness missing (null, NaN, not 0/1) or contradictory;
- kept with a note: an answer stored as a JSON boolean (read as ``"true"``/``"false"``,
  en s_id 174676), surrounding whitespace (stripped), capitals (matching casefolds),
  several words (kept: a miss for a single-mask model), ``fluent_languages`` null or
  NaN, ``age`` null (both unused by the analysis).

Groups: gender from ``male``/``female`` and nativeness from ``native``/``nonnative``.
Each pair is complementary: one valid 0/1 flag decides (``male=1`` or ``female=0`` ->
male; ``native=1`` or ``nonnative=0`` -> native); two valid flags must disagree. Codes:
MN male native, FN female native, MNN male non-native, FNN female non-native.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..jsonl import read_objects

LANGUAGES = ("en", "es", "de", "fr")
GROUPS = ("MN", "FN", "MNN", "FNN")
MASK_PLACEHOLDER = "[MASK]"
FILE_PATTERN = "{language}_data_with_annotations.jsonl"


def normalize_word(text: str) -> str:
    """The form answers and predictions are compared in: NFC, stripped, casefolded.

    Inner runs of whitespace become one space, so a multi-word answer can only equal a
    multi-word prediction (from a span-filling model's predictions file).
    """
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass(frozen=True)
class Sentence:
    """A cloze item: the text with one ``[MASK]`` and the word that was masked."""

    language: str
    s_id: str
    text: str
    true_mask: str

    @property
    def key(self) -> tuple[str, str]:
        return self.language, self.s_id


@dataclass(frozen=True)
class Annotation:
    """One annotator's answer to one sentence; ``group`` is None when it cannot be decided."""

    language: str
    s_id: str
    answer: str
    true_mask: str
    group: str | None

    @property
    def key(self) -> tuple[str, str]:
        return self.language, self.s_id

    @property
    def multi_word(self) -> bool:
        return len(self.answer.split()) > 1


@dataclass
class LoadReport:
    """Rows read per language, and counts by reason of what was dropped, ungrouped or noted."""

    rows: dict[str, int] = field(default_factory=dict)
    dropped: Counter[str] = field(default_factory=Counter)
    ungrouped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": dict(self.rows), "dropped": dict(sorted(self.dropped.items())),
                "ungrouped": dict(sorted(self.ungrouped.items())), "notes": dict(sorted(self.notes.items()))}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoadReport:
        return cls(dict(data["rows"]), Counter(data["dropped"]), Counter(data["ungrouped"]), Counter(data["notes"]))


@dataclass(frozen=True)
class ClozeData:
    """Kept annotations, the unique sentences they answer (file order) and the load report."""

    annotations: tuple[Annotation, ...]
    sentences: tuple[Sentence, ...]
    report: LoadReport


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _flag(value: object) -> int | None:
    """1 or 0 for a valid flag (int, float or bool); None for null, NaN or anything else."""
    if isinstance(value, (int, float)) and not _missing(value) and value in (0, 1):
        return int(value)
    return None


def _decide(yes: object, no: object) -> bool | str:
    """The attribute from two complementary flags, or why it cannot be decided."""
    a, b = _flag(yes), _flag(no)
    if a is None and b is None:
        return "missing"
    if a is not None and b is not None and a == b:
        return "contradictory"
    return a == 1 if a is not None else b == 0


def _group(row: dict[str, Any], report: LoadReport) -> str | None:
    male = _decide(row.get("male"), row.get("female"))
    native = _decide(row.get("native"), row.get("nonnative"))
    if isinstance(male, str):
        report.ungrouped[f"gender {male}"] += 1
    if isinstance(native, str):
        report.ungrouped[f"nativeness {native}"] += 1
    if isinstance(male, str) or isinstance(native, str):
        return None
    return ("M" if male else "F") + ("N" if native else "NN")


def _answer(value: object, report: LoadReport) -> str | None:
    if isinstance(value, bool):
        report.notes["answer stored as a JSON boolean"] += 1
        value = "true" if value else "false"
    if not isinstance(value, str) or not value.strip():
        return None
    if value != value.strip():
        report.notes["answer with surrounding whitespace"] += 1
    value = unicodedata.normalize("NFC", value.strip())
    if value != value.casefold():
        report.notes["answer with capitals"] += 1
    if len(value.split()) > 1:
        report.notes["multi-word answer"] += 1
    return value


def _note_unused_fields(row: dict[str, Any], report: LoadReport) -> None:
    fluent = row.get("fluent_languages")
    if fluent is None:
        report.notes["fluent_languages null"] += 1
    elif _missing(fluent):
        report.notes["fluent_languages NaN"] += 1
    if _missing(row.get("age")):
        report.notes["age null"] += 1


def _parse(row: dict[str, Any], language: str, seen: dict[str, Sentence],
           report: LoadReport) -> tuple[Annotation, Sentence] | None:
    for name in ("s_id", "text", "true_mask"):
        if _missing(row.get(name)) or not str(row.get(name)).strip():
            report.dropped[f"{name} missing"] += 1
            return None
    sentence = Sentence(language, str(row["s_id"]).strip(), str(row["text"]), str(row["true_mask"]).strip())
    if sentence.text.count(MASK_PLACEHOLDER) != 1:
        report.dropped[f"text without exactly one {MASK_PLACEHOLDER}"] += 1
        return None
    first = seen.setdefault(sentence.s_id, sentence)
    if first != sentence:
        report.dropped["text or true_mask differs from the first row of its s_id"] += 1
        return None
    answer = _answer(row.get("mask"), report)
    if answer is None:
        report.dropped["answer missing or blank"] += 1
        return None
    _note_unused_fields(row, report)
    annotation = Annotation(language, sentence.s_id, answer, sentence.true_mask, _group(row, report))
    return annotation, sentence


def present_languages(folder: str | Path) -> list[str]:
    """The languages (in ``LANGUAGES`` order) whose MozArt annotation file is in ``folder``."""
    folder = Path(folder)
    return [lang for lang in LANGUAGES if (folder / FILE_PATTERN.format(language=lang)).is_file()]


def load_mozart(folder: str | Path, languages: tuple[str, ...] | list[str] = LANGUAGES) -> ClozeData:
    """Read and validate the MozArt files of ``languages`` from ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"MozArt folder not found: {folder}")
    report = LoadReport()
    annotations: list[Annotation] = []
    sentences: dict[tuple[str, str], Sentence] = {}
    for language in languages:
        path = folder / FILE_PATTERN.format(language=language)
        if not path.is_file():
            raise DataError(f"MozArt file for language {language!r} not found: {path}")
        rows = read_objects(path, "MozArt file")
        report.rows[language] = len(rows)
        seen: dict[str, Sentence] = {}
        for _, row in rows:
            parsed = _parse(row, language, seen, report)
            if parsed is not None:
                annotations.append(parsed[0])
                sentences.setdefault(parsed[1].key, parsed[1])
    if not annotations:
        raise DataError(f"no usable MozArt rows in {folder} for {', '.join(languages)}")
    return ClozeData(tuple(annotations), tuple(sentences.values()), report)
