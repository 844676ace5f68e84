"""The whole MozArt audit with the shipped ``mlm`` (needs ../shared/data; skipped without it)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from xaudit.cloze import GROUPS, LANGUAGES, run_cloze

pytestmark = pytest.mark.data


def human_oracle(folder) -> Counter:
    """Reproductions of the masked word per (group, language), read from the raw rows directly."""
    hits: Counter = Counter()
    for language in LANGUAGES:
        for line in (folder / f"{language}_data_with_annotations.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            group = ("M" if r["male"] == 1 else "F") + ("N" if r["native"] == 1 else "NN")
            answer = "true" if r["mask"] is True else r["mask"].strip().casefold()
            hits[group, language] += answer == r["true_mask"].strip().casefold()
    return hits


def test_full_mozart_run_with_the_reference_mlm(data_dir):
    result = run_cloze(mozart=data_dir / "mozart", model="mlm")
    payload = result.to_dict()
    assert payload["model"] == "mlm" and payload["k"] == [1, 5]
    assert payload["n_annotations"] == 2420 and payload["n_sentences"] == 400
    assert payload["multi_word_answers"] == 54
    p1, p5 = result.precision[1], result.precision[5]
    assert p1.cell("MNN", "es").n == 170 and p1.cell("FNN", "de").n == 160 and p1.cell("MN", "en").n == 150
    for cell in p1.cells:
        assert 0.0 <= cell.rate <= 1.0
        assert p5.cell(cell.group, cell.language).hits >= cell.hits  # top-1 is inside top-5
    oracle = human_oracle(data_dir / "mozart")
    assert {(c.group, c.language): c.hits for c in result.human.cells} == {
        (g, l): oracle[g, l] for g in GROUPS for l in LANGUAGES}
