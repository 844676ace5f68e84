"""Held-out examples of a reference model's task, regenerated from its model card's data recipe."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..paths import DATA_DIR_ENV, default_data_dir
from ..wording import count
from . import agreement, digits


@dataclass(frozen=True)
class LabelledInputs:
    inputs: list[object]
    labels: list[int]
    description: str
    attractors: list[int] | None = None
    """Agreement tasks: each sentence's attractor count (Linzen et al. 2016), for accuracy by count."""


def held_out_examples(card: dict[str, Any], n: int | None = None, vocabulary: Sequence[str] | None = None,
                      data_dir: Path | None = None) -> LabelledInputs:
    """The first ``n`` test examples of the task described by ``card["data"]``.

    A masked LM's (``task`` cloze) are corpus test sentences with one word masked, read from
    ``data_dir`` (default: the shared data folder); ``vocabulary`` (the model's labels) gives
    each its label.
    """
    data = card.get("data") or {}
    generator = data.get("generator", "")
    if card.get("task") == "cloze":
        return _cloze_examples(card, n, vocabulary, data_dir)
    if generator.endswith("agreement.splits"):
        test = agreement.splits(data["n_train"], data["n_dev"], data["n_test"], data["seed"]).test[:n]
        return LabelledInputs([e.text for e in test], [e.label for e in test],
                              f"agreement test split (seed {data['seed']}), {len(test)} sentences",
                              [e.attractors for e in test])
    if generator.endswith("linzen.splits"):
        return _real_agreement_examples(data, n, data_dir)
    if generator.endswith("digits.splits"):
        test = digits.splits(data["seed"]).test
        count = len(test.labels) if n is None else min(n, len(test.labels))
        return LabelledInputs(list(test.images[:count]), [int(x) for x in test.labels[:count]],
                              f"digits test split (seed {data['seed']}), {count} images")
    raise DataError(f"model card has no known data recipe ({generator or 'none'}); give `input_file`")


def _real_agreement_examples(data: dict[str, Any], n: int | None, data_dir: Path | None) -> LabelledInputs:
    """The held-out real agreement sentences of a model trained on them (``datasets.linzen``)."""
    from ..paths import cache_dir
    from .corpus import CORPUS_FOLDER
    from .linzen import splits

    root = data_dir or default_data_dir()
    if root is None or not (root / CORPUS_FOLDER).is_dir():
        raise DataError(f"the held-out real sentences come from the corpus in the shared data folder, which was not "
                        f"found: set {DATA_DIR_ENV}, or give `input_file` (JSON Lines with text and label)")
    real = splits(root / CORPUS_FOLDER, cache_dir(), data["real_test"], data["real_dev"], data["seed"])
    if real.fingerprint != data.get("corpus_fingerprint"):
        raise DataError(f"the English corpus under {root / CORPUS_FOLDER} differs from the one the model was trained "
                        "on, so its test sentences may not be held out")
    test = real.test[:n]
    return LabelledInputs([e.text for e in test], [e.label for e in test],
                          f"held-out real agreement sentences (Linzen et al. 2016) extracted from the English corpus "
                          f"by link-grammar (seed {data['seed']}), {len(test)} of {len(real.test)}",
                          [e.attractors for e in test])


def _cloze_examples(card: dict[str, Any], n: int | None, vocabulary: Sequence[str] | None,
                    data_dir: Path | None) -> LabelledInputs:
    from .corpus import CORPUS_FOLDER
    from .masked_corpus import masked_test_examples

    root = data_dir or default_data_dir()
    if root is None or not (root / CORPUS_FOLDER).is_dir():
        raise DataError(f"the held-out text of {card.get('name', 'this model')!r} is the corpus in the shared data "
                        f"folder, which was not found: set {DATA_DIR_ENV}, or give `input_file` (JSON Lines with text and label)")
    if vocabulary is None:
        raise DataError("masked held-out examples need the model's vocabulary")
    texts, labels, files = masked_test_examples(root / CORPUS_FOLDER, vocabulary, n, int(card.get("seed") or 0))
    trained_on = {f.get("file"): f.get("sha256") for f in _data_files(card)}
    changed = sorted(str(f["file"]) for f in files if trained_on and trained_on.get(f["file"]) != f["sha256"])
    verb = "differs" if len(changed) == 1 else "differ"
    caveat = (f"; WARNING: {count(len(changed), 'corpus file')} {verb} from those the model was trained on "
              f"({', '.join(changed[:3])}{', ...' if len(changed) > 3 else ''}), so these may not be held out"
              if changed else "")
    return LabelledInputs(texts, labels, f"corpus test split, {len(texts)} sentences with one word masked "
                                         f"({root / CORPUS_FOLDER}){caveat}")


def _data_files(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The data files a model card records (``data.files``), if any."""
    files = (card.get("data") or {}).get("files")
    return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []
