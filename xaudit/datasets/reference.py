"""Held-out examples of a reference model's task, regenerated from its model card's data recipe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import DataError
from . import agreement, digits


@dataclass(frozen=True)
class LabelledInputs:
    inputs: list[object]
    labels: list[int]
    description: str


def held_out_examples(card: dict[str, Any], n: int | None = None) -> LabelledInputs:
    """The first ``n`` test examples of the task described by ``card["data"]``."""
    data = card.get("data") or {}
    generator = data.get("generator", "")
    if generator.endswith("agreement.splits"):
        test = agreement.splits(data["n_train"], data["n_dev"], data["n_test"], data["seed"]).test[:n]
        return LabelledInputs([e.text for e in test], [e.label for e in test],
                              f"agreement test split (seed {data['seed']}), {len(test)} sentences")
    if generator.endswith("digits.splits"):
        test = digits.splits(data["seed"]).test
        count = len(test.labels) if n is None else min(n, len(test.labels))
        return LabelledInputs(list(test.images[:count]), [int(x) for x in test.labels[:count]],
                              f"digits test split (seed {data['seed']}), {count} images")
    raise DataError(f"model card has no known data recipe ({generator or 'none'}); give --input FILE")
