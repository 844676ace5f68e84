"""The result of one attribution method on one example."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from .._version import __version__
from ..schema import JsonResult, check_envelope, envelope


@dataclass(frozen=True, eq=False)
class Attribution(JsonResult):
    """Scores of one method for one example's units (tokens, words or pixels).

    ``scores`` holds the chosen layer's scores for layered methods (attention, rollout,
    flow) and the only scores otherwise; ``layer_scores`` holds every layer's.
    """

    units: list[str]
    scores: np.ndarray
    method: str
    model: str
    target: int
    target_label: str
    prediction: int
    prediction_label: str
    probability: float
    target_probability: float
    params: dict[str, Any] = field(default_factory=dict)
    layer: int | None = None
    layer_scores: np.ndarray | None = None
    extras: dict[str, float] = field(default_factory=dict)
    special: list[bool] = field(default_factory=list)
    words: list[int | None] = field(default_factory=list)
    word_texts: list[str] = field(default_factory=list)
    image_shape: tuple[int, int] | None = None
    input_id: str = "0"
    text: str | None = None
    seed: int | None = None
    decision_position: int | None = None
    """The token (attention position) the model decides at and attention methods read; None without attention."""
    version: str = __version__
    kind: ClassVar[str] = "attribution"

    def to_words(self) -> Attribution:
        """Sum subword scores into words; special tokens are left out (text only)."""
        if not self.words or not self.word_texts:
            return self
        groups = [[u for u, w in enumerate(self.words) if w == index] for index in range(len(self.word_texts))]

        def pool(values: np.ndarray) -> np.ndarray:
            return np.stack([values[..., g].sum(axis=-1) for g in groups], axis=-1)

        return replace(
            self, units=list(self.word_texts), scores=pool(self.scores),
            layer_scores=None if self.layer_scores is None else pool(self.layer_scores),
            special=[False] * len(groups), words=list(range(len(groups))),
        )

    def to_dict(self) -> dict[str, Any]:
        data = envelope(self.kind) | asdict(self)
        data["scores"] = self.scores.tolist()
        data["layer_scores"] = None if self.layer_scores is None else self.layer_scores.tolist()
        data["image_shape"] = None if self.image_shape is None else list(self.image_shape)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attribution:
        data = dict(check_envelope(data, cls.kind))
        for key in ("schema_version", "kind", "xaudit_version"):
            data.pop(key, None)
        data["scores"] = np.asarray(data["scores"], dtype=np.float64)
        if data.get("layer_scores") is not None:
            data["layer_scores"] = np.asarray(data["layer_scores"], dtype=np.float64)
        if data.get("image_shape") is not None:
            data["image_shape"] = tuple(data["image_shape"])
        return cls(**data)

    def to_frame(self):
        """One row per unit: unit, score, and (for layered methods) one column per layer."""
        import pandas as pd

        frame = pd.DataFrame({"kind": "attribution", "model": self.model, "input_id": self.input_id,
                              "method": self.method, "position": range(len(self.units)), "unit": self.units,
                              "score": self.scores})
        if self.layer_scores is not None:
            for layer, row in enumerate(self.layer_scores, start=1):
                frame[f"L{layer}"] = row
        return frame

    def _repr_html_(self) -> str:
        peak = float(np.abs(self.scores).max()) or 1.0
        cells = []
        for unit, score in zip(self.units, self.scores):
            alpha = abs(float(score)) / peak
            colour = "220,50,47" if score >= 0 else "38,139,210"
            cells.append(f'<span style="background: rgba({colour},{alpha:.2f}); padding: 1px 3px" '
                         f'title="{float(score):.4g}">{html.escape(unit)}</span>')
        head = html.escape(f"{self.method} on {self.model}: predicted {self.prediction_label} "
                           f"({self.probability:.3f}), explaining {self.target_label}")
        return f"<div><div>{head}</div><div>{' '.join(cells)}</div></div>"
