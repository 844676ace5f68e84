"""Held-out cloze examples for a masked LM: corpus test segments with one word masked.

From the test split of :mod:`xaudit.datasets.corpus` (languages interleaved EN, ES, DE,
FR), each segment cut to its first ``MAX_WORDS`` words; one word that is a whole-word
vocabulary item (after NFC and lower-casing, as the ``mlm`` tokenizer normalises) is
chosen with a seeded generator and replaced by ``[MASK]``. The label is that item's index,
so measures explain how the model recovers the original word.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from itertools import chain, zip_longest
from pathlib import Path

from ..errors import DataError
from .corpus import LANGUAGES, read_corpus

MAX_WORDS = 40
MASK = "[MASK]"


def masked_test_examples(corpus_dir: Path, vocabulary: Sequence[str], n: int | None, seed: int
                         ) -> tuple[list[str], list[int], list[dict[str, object]]]:
    """Up to ``n`` masked test sentences, the vocabulary index of each masked word, and the files read
    (with their sha256, to compare with a model card's)."""
    splits = read_corpus(corpus_dir)
    index = {item: i for i, item in enumerate(vocabulary)}
    rng = random.Random(seed)
    interleaved = chain.from_iterable(zip_longest(*(splits.test.get(lang, []) for lang in LANGUAGES)))
    texts, labels = [], []
    for segment in interleaved:
        if segment is None:
            continue
        words = segment.split()[:MAX_WORDS]
        candidates = [i for i, word in enumerate(words) if _normal(word) in index]
        if not candidates:
            continue
        chosen = rng.choice(candidates)
        labels.append(index[_normal(words[chosen])])
        texts.append(" ".join(words[:chosen] + [MASK] + words[chosen + 1:]))
        if n is not None and len(texts) >= n:
            break
    if not texts:
        raise DataError(f"no test segment under {corpus_dir} has a word in the model's vocabulary")
    return texts, labels, splits.files


def _normal(word: str) -> str:
    """The vocabulary form of a whole alphabetic word, or '' (never in the vocabulary) otherwise."""
    word = unicodedata.normalize("NFC", word).lower()
    return word if word.isalpha() else ""
