"""Batched predictions through any adapter, and their result type (``xaudit predict``'s JSON and CSV)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..progress import ProgressFn, silent
from ..schema import JsonResult, check_envelope, envelope
from .base import ModelAdapter

if TYPE_CHECKING:
    import pandas as pd


def predict_proba(
    adapter: ModelAdapter, inputs: Sequence[object], batch_size: int = 256, progress: ProgressFn = silent
) -> np.ndarray:
    """Class probabilities ``(n, classes)`` for raw inputs (texts or images)."""
    chunks = []
    for start in range(0, len(inputs), batch_size):
        batch = adapter.encode(list(inputs[start : start + batch_size]))
        with torch.no_grad():
            chunks.append(torch.softmax(adapter.forward(batch).float(), dim=-1).cpu().numpy())
        progress("predicting", min(start + batch_size, len(inputs)), len(inputs))
    return np.concatenate(chunks)


@dataclass(frozen=True)
class Prediction:
    """The most probable class of one input (``input`` is the text, or the id of an image)."""

    id: str
    input: str
    label: str
    index: int
    probability: float
    true_label: str | None = None


@dataclass(frozen=True)
class Predictions(JsonResult):
    """A model's predictions for a list of inputs."""

    kind = "predictions"

    model: str
    rows: list[Prediction]

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {"model": self.model, "predictions": [
            {"id": r.id, "input": r.input, "prediction": {"label": r.label, "index": r.index,
                                                          "probability": r.probability},
             "true_label": r.true_label} for r in self.rows]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Predictions:
        data = check_envelope(data, cls.kind)
        return cls(data["model"], [Prediction(r["id"], r["input"], r["prediction"]["label"], r["prediction"]["index"],
                                              r["prediction"]["probability"], r["true_label"])
                                   for r in data["predictions"]])

    def to_frame(self) -> pd.DataFrame:
        """One row per input: kind, model, id, input, prediction, index, probability, true_label."""
        import pandas as pd

        return pd.DataFrame([{"kind": "prediction", "model": self.model, "id": r.id, "input": r.input,
                              "prediction": r.label, "index": r.index, "probability": r.probability,
                              "true_label": r.true_label} for r in self.rows],
                            columns=["kind", "model", "id", "input", "prediction", "index", "probability",
                                     "true_label"])


def predict(adapter: ModelAdapter, inputs: Sequence[object], ids: Sequence[str],
            true_labels: Sequence[int | None] | None = None, progress: ProgressFn = silent) -> Predictions:
    """The most probable class of each input, with its probability."""
    probabilities = predict_proba(adapter, inputs, progress=progress)
    truths = true_labels if true_labels is not None else [None] * len(inputs)
    rows = []
    for item_id, item, probs, truth in zip(ids, inputs, probabilities, truths):
        best = int(probs.argmax())
        rows.append(Prediction(item_id, item if isinstance(item, str) else item_id, adapter.labels[best], best,
                               float(probs[best]), None if truth is None else adapter.labels[truth]))
    return Predictions(adapter.name, rows)
