"""Per-demographic P@k disparity tables (Cabello Piqueras & Søgaard 2022, COLING).

For group g and language l, P@k = hits / n over g's annotations in l, where an annotation
is a hit when its answer (``normalize_word``) equals one of the model's top-k whole-word
predictions for the sentence. The paper's layout: each group's mean over languages with
the population standard deviation (ddof=0), and each language's mean over groups with
the population standard deviation across groups (σ_gd). Means are unweighted means of
the cell rates; empty cells (n = 0) are shown as None and left out of the margins.

The human baseline uses the same layout with "hit" = the annotator reproduced the word
that was masked in the original sentence (``true_mask``). Rates are fractions in [0, 1].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..schema import JsonResult, check_envelope, envelope
from .mozart import Annotation, ClozeData, LoadReport, normalize_word

PAPER = "Cabello Piqueras & Søgaard (2022), Are Pretrained Multilingual Models Equally Fair Across Languages?"


@dataclass(frozen=True)
class Cell:
    group: str
    language: str
    hits: int
    n: int
    multi_word: int

    @property
    def rate(self) -> float | None:
        return self.hits / self.n if self.n else None


@dataclass(frozen=True)
class Margin:
    """Mean of cell rates and their population standard deviation (ddof=0)."""

    mean: float | None
    std: float | None

    def to_dict(self) -> dict[str, float | None]:
        return {"mean": self.mean, "std": self.std}


def margin(rates: Sequence[float | None]) -> Margin:
    present = [r for r in rates if r is not None]
    if not present:
        return Margin(None, None)
    return Margin(float(np.mean(present)), float(np.std(present, ddof=0)))


@dataclass(frozen=True)
class RateTable:
    """Rates per group x language with group means (over languages) and language means (over groups)."""

    cells: tuple[Cell, ...]
    group_means: dict[str, Margin]
    language_means: dict[str, Margin]

    def cell(self, group: str, language: str) -> Cell:
        return next(c for c in self.cells if c.group == group and c.language == language)

    def to_dict(self, rate_name: str) -> dict[str, Any]:
        return {
            "cells": [{"group": c.group, "language": c.language, "hits": c.hits, "n": c.n, rate_name: c.rate,
                       "multi_word": c.multi_word} for c in self.cells],
            "group_means": {g: m.to_dict() for g, m in self.group_means.items()},
            "language_means": {l: m.to_dict() for l, m in self.language_means.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RateTable:
        cells = tuple(Cell(c["group"], c["language"], c["hits"], c["n"], c["multi_word"]) for c in data["cells"])
        return cls(cells, {g: Margin(**m) for g, m in data["group_means"].items()},
                   {l: Margin(**m) for l, m in data["language_means"].items()})


def rate_table(annotations: Sequence[Annotation], hits: Sequence[bool], groups: Sequence[str],
               languages: Sequence[str]) -> RateTable:
    """Count ``hits`` per group x language cell and add the paper's margins."""
    cells = []
    for group in groups:
        for language in languages:
            chosen = [(a, h) for a, h in zip(annotations, hits) if a.group == group and a.language == language]
            cells.append(Cell(group, language, sum(h for _, h in chosen), len(chosen),
                              sum(a.multi_word for a, _ in chosen)))
    rates = {(c.group, c.language): c.rate for c in cells}
    return RateTable(
        tuple(cells),
        {g: margin([rates[g, l] for l in languages]) for g in groups},
        {l: margin([rates[g, l] for g in groups]) for l in languages},
    )


FAR_BELOW = 0.2
"""A model's pooled P@k under this share of the human baseline is "far below" it."""


def pooled(cells: Sequence[Cell]) -> float | None:
    """Hits over annotations across ``cells``; None without annotations."""
    n = sum(c.n for c in cells)
    return sum(c.hits for c in cells) / n if n else None


@dataclass(frozen=True)
class ClozeResult(JsonResult):
    """P@k tables for each k, the human baseline and the data report of one cloze audit."""

    kind = "cloze_fairness"

    model: str
    groups: tuple[str, ...]
    languages: tuple[str, ...]
    precision: dict[int, RateTable]
    human: RateTable
    n_sentences: int
    report: LoadReport

    @property
    def k_values(self) -> tuple[int, ...]:
        return tuple(self.precision)

    @property
    def n_annotations(self) -> int:
        return sum(c.n for c in self.human.cells)

    def below_human(self, fraction: float = FAR_BELOW) -> list[str]:
        """A warning per k whose pooled P@k (hits over all annotations) is under ``fraction`` of the human
        baseline's pooled rate: group differences in such a table are mostly noise."""
        human = pooled(self.human.cells)
        if not human:
            return []
        warnings = []
        for k, table in self.precision.items():
            rate = pooled(table.cells)
            if rate is not None and rate < fraction * human:
                hits = sum(c.hits for c in table.cells)
                warnings.append(f"pooled P@{k} of {self.model} is {rate:.1%} ({hits:,} hits in "
                                f"{sum(c.n for c in table.cells):,} annotations), under {fraction:.0%} of the human "
                                f"baseline's {human:.1%}: read its group differences as noise, not as a finding")
        return warnings

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {
            "analysis": "cloze P@k per demographic group",
            "reference": PAPER,
            "model": self.model,
            "groups": list(self.groups),
            "languages": list(self.languages),
            "k": list(self.k_values),
            "n_sentences": self.n_sentences,
            "n_annotations": self.n_annotations,
            "multi_word_answers": sum(c.multi_word for c in self.human.cells),
            "p_at_k": {str(k): table.to_dict("p_at_k") for k, table in self.precision.items()},
            "human_baseline": self.human.to_dict("reproduced"),
            "data": self.report.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClozeResult:
        data = check_envelope(data, cls.kind)
        return cls(data["model"], tuple(data["groups"]), tuple(data["languages"]),
                   {int(k): RateTable.from_dict(t) for k, t in data["p_at_k"].items()},
                   RateTable.from_dict(data["human_baseline"]), data["n_sentences"],
                   LoadReport.from_dict(data["data"]))

    def to_frame(self) -> pd.DataFrame:
        """One row per cell and per margin: kind, model, table, group, language, hits, n, multi_word, value, std."""
        rows = []
        named = [(f"P@{k}", t) for k, t in self.precision.items()] + [("human_baseline", self.human)]
        for name, table in named:
            head = {"model": self.model, "table": name}
            for c in table.cells:
                rows.append(dict(kind="cell", **head, group=c.group, language=c.language, hits=c.hits, n=c.n,
                                 multi_word=c.multi_word, value=c.rate, std=None))
            for g, m in table.group_means.items():
                rows.append(dict(kind="group_mean", **head, group=g, language=None, value=m.mean, std=m.std))
            for lang, m in table.language_means.items():
                rows.append(dict(kind="language_mean", **head, group=None, language=lang, value=m.mean, std=m.std))
        frame = pd.DataFrame(rows, columns=["kind", "model", "table", "group", "language", "hits", "n", "multi_word",
                                            "value", "std"])
        return frame.astype({"hits": "Int64", "n": "Int64", "multi_word": "Int64"})


def _check_coverage(data: ClozeData, predictions: Mapping[tuple[str, str], Sequence[str]], k: int) -> None:
    missing = [s.key for s in data.sentences if s.key not in predictions]
    if missing:
        raise DataError(f"no predictions for {len(missing)} of {len(data.sentences)} sentences "
                        f"(first: language {missing[0][0]!r}, s_id {missing[0][1]!r})")
    short = [s.key for s in data.sentences if len(predictions[s.key]) < k]
    if short:
        lang, s_id = short[0]
        raise DataError(f"P@{k} needs {k} predicted words per sentence; language {lang!r}, s_id {s_id!r} "
                        f"has {len(predictions[short[0]])} ({len(short)} sentences are short)")


def cloze_result(data: ClozeData, predictions: Mapping[tuple[str, str], Sequence[str]], k_values: Sequence[int],
                 groups: Sequence[str], languages: Sequence[str], model: str) -> ClozeResult:
    """P@k for each k and the human baseline over the grouped annotations of ``data``."""
    _check_coverage(data, predictions, max(k_values))
    rows = [a for a in data.annotations if a.group in groups and a.language in languages]
    answers = [normalize_word(a.answer) for a in rows]
    predicted = {key: [normalize_word(w) for w in words] for key, words in predictions.items()}
    precision = {k: rate_table(rows, [ans in predicted[a.key][:k] for a, ans in zip(rows, answers)], groups,
                               languages) for k in k_values}
    human = rate_table(rows, [ans == normalize_word(a.true_mask) for a, ans in zip(rows, answers)], groups, languages)
    return ClozeResult(model, tuple(groups), tuple(languages), precision, human,
                       sum(s.language in languages for s in data.sentences), data.report)
