"""The adapter of a tabular classifier (a torch network over an encoded feature vector).

Inputs are table rows (a DataFrame, or a sequence of ``{column: value}`` mappings) read
through the model's :class:`~xaudit.models.feature_schema.FeatureSchema`. The "embedding"
that gradient methods differentiate is the encoded row, ``(B, columns, width)``: one unit
per original column, so saliency, Taylor, integrated gradients and blank-out report one
score per column with its one-hot parts summed. Baselines: ``typical`` (default: the
training split's medians and modes, encoded) or ``zero`` (zero encoded input: numeric
columns at their mean, no category switched on). Blank-out replaces a column by its
typical value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import torch
from torch import nn

from ..errors import DataError, ModelError, ParameterError
from .base import AdapterBase, Batch, eval_mode
from .feature_schema import FeatureSchema

BASELINES = ("typical", "zero")


def as_frame(inputs: Sequence[object] | pd.DataFrame) -> pd.DataFrame:
    """Rows as a DataFrame (a DataFrame is returned as it is)."""
    if isinstance(inputs, pd.DataFrame):
        frame = inputs
    else:
        rows = list(inputs)
        bad = next((i for i, row in enumerate(rows) if not isinstance(row, Mapping)), None)
        if bad is not None:
            raise DataError(f"input {bad} is a {type(rows[bad]).__name__}; a tabular model takes rows "
                            "({column: value} mappings or a table)")
        frame = pd.DataFrame(rows)
    if len(frame) == 0:
        raise DataError("no input rows given")
    return frame


class TabularAdapter(AdapterBase):
    """A classifier called as ``module(features) -> logits`` on the encoded vector ``(B, n_features)``.

    ``favourable`` names the favourable class (a label), when the card says which one is;
    ``audit`` holds the card's audit defaults (``xaudit fairness --model``).
    """

    kind = "mlp"
    modality = "tabular"
    baseline_kinds = BASELINES
    default_baseline = "typical"

    def __init__(self, model: nn.Module, schema: FeatureSchema, labels: Sequence[str], name: str,
                 favourable: str | None = None, audit: dict[str, Any] | None = None):
        self.model = model
        self.audit = dict(audit or {})
        self.schema = schema
        self.labels = list(labels)
        self.name = name
        self.favourable = favourable
        self._index = schema.flat_index()
        self._typical = schema.encode(schema.typical_frame())

    @classmethod
    def from_card(cls, model: nn.Module, folder: Path, card: dict[str, Any], name: str) -> TabularAdapter:
        """The adapter of a network saved in ``folder`` with a card holding ``schema`` and ``labels``."""
        if "schema" not in card:
            raise ModelError(f"tabular model card in {folder} has no feature schema")
        audit = card.get("audit") or {}
        return cls(model, FeatureSchema.from_dict(card["schema"]), list(card["labels"]), name,
                   favourable=audit.get("favourable_label"), audit=audit)

    def encode(self, inputs: Sequence[object] | pd.DataFrame, first_row: int = 0) -> Batch:
        """Rows as one batch; DataError naming the column and row (counted from ``first_row``) of a bad value."""
        frame = as_frame(inputs)
        features = self.schema.encode(frame, first_row)
        names = self.schema.names
        return Batch(inputs={"features": features}, units=[list(names) for _ in range(len(frame))],
                     modality="tabular", special=[[False] * len(names) for _ in range(len(frame))],
                     truncated=[0] * len(frame), sources=frame[names].to_dict("records"))

    def flat(self, embeddings: torch.Tensor) -> torch.Tensor:
        """``(B, columns, width)`` -> the network's ``(B, n_features)`` (padding slots dropped)."""
        return embeddings.reshape(embeddings.shape[0], -1)[:, self._index.to(embeddings.device)]

    def forward(self, batch: Batch) -> torch.Tensor:
        return self.forward_from_embeddings(self.embed(batch), batch)

    def embed(self, batch: Batch) -> torch.Tensor:
        return batch.inputs["features"].to(self.device, self._dtype()).detach().clone()

    def forward_from_embeddings(self, embeddings: torch.Tensor, batch: Batch) -> torch.Tensor:
        with eval_mode(self.model):
            return self.model(self.flat(embeddings))

    def baseline(self, batch: Batch, kind: str | None = None) -> torch.Tensor:
        """``typical``: every row replaced by the typical applicant; ``zero``: zero encoded input."""
        kind = self.baseline_kind(kind)
        x = self.embed(batch)
        if kind == "zero":
            return torch.zeros_like(x)
        return self._typical.to(x).expand_as(x).clone()

    def baseline_kind(self, kind: str | None = None) -> str:
        kind = kind or self.default_baseline
        if kind not in BASELINES:
            raise ParameterError(f"unknown baseline {kind!r} for a tabular model; choose one of: "
                                 f"{', '.join(BASELINES)}")
        return kind

    def blank_value(self, batch: Batch) -> torch.Tensor:
        """A column blanked is the typical applicant's value of that column."""
        return self.baseline(batch, "typical")

    def perturbed(self, batch: Batch, noise: torch.Tensor) -> Batch:
        """The batch with ``noise`` added to the encoded rows' used slots."""
        features = batch.inputs["features"]
        used = torch.zeros(features.shape[1] * features.shape[2], dtype=features.dtype)
        used[self._index] = 1
        noise = noise.to(features) * used.view(features.shape[1:])
        return replace(batch, inputs={**batch.inputs, "features": features + noise})

    def _dtype(self) -> torch.dtype:
        return next(self.model.parameters(), torch.empty(0)).dtype

    def favourable_index(self) -> int:
        """Index of the favourable class (the card's ``favourable_label``; else the last class)."""
        return self.label_index(self.favourable) if self.favourable is not None else len(self.labels) - 1
