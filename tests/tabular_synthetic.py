"""A tiny tabular model on a synthetic applicant table (no shared data needed): the adapter contract's example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

NUMERIC = ("age", "amount")
CATEGORICAL = ("status", "sex")


AUDIT = {"label_col": "repaid", "favourable_value": "yes", "favourable_label": "good", "protected": ["sex", "age"],
         "groupings": {"gender": {"column": "sex", "map": {"male": "M", "female": "F"}},
                       "age_group": {"column": "age", "cut": 25, "below": "under 25", "above": "25 and over"}},
         "group_cols": ["gender"]}
"""Audit defaults as a card holds them: label, favourable value, groupings by a value map and by a cut."""


def synthetic_frame(n: int = 40, seed: int = 0) -> pd.DataFrame:
    """Applicants with two numeric and two categorical columns (categories as text)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 70, n), "amount": rng.gamma(2.0, 1500.0, n).round(),
        "status": rng.choice(["A11", "A12", "A14"], n), "sex": rng.choice(["female", "male"], n),
        "repaid": rng.choice(["yes", "no"], n, p=[0.7, 0.3])})


def write_tiny_tabular(folder: Path, seed: int = 0) -> Path:
    """A random-weight TabularMLP with its schema fitted on ``synthetic_frame``, saved as a model folder."""
    from safetensors.torch import save_file

    from xaudit.models.architectures import TabularMLP
    from xaudit.models.cards import write_card
    from xaudit.models.feature_schema import FeatureSchema

    frame = synthetic_frame().drop(columns="repaid")
    schema = FeatureSchema.fit(frame, np.arange(len(frame)), NUMERIC, CATEGORICAL)
    config = dict(in_features=schema.n_features, num_labels=2, hidden=[8], dropout=0.0)
    torch.manual_seed(seed)
    model = TabularMLP(**config)
    folder.mkdir(parents=True, exist_ok=True)
    save_file(dict(model.state_dict()), str(folder / "model.safetensors"))
    write_card(folder, {"name": "credit", "architecture": "tabular", "config": config, "labels": ["bad", "good"],
                        "schema": schema.to_dict(), "audit": AUDIT})
    return folder


def flat_by_hand(schema, frame: pd.DataFrame) -> np.ndarray:
    """Standardised numbers then one-hot categories, column by column, written out independently."""
    parts = []
    for column in schema.columns:
        if column.kind == "numeric":
            parts.append(((frame[column.name].astype(float) - column.mean) / column.std).to_numpy()[:, None])
        else:
            parts.append(np.stack([(frame[column.name].astype(str) == c).to_numpy() for c in column.categories],
                                  axis=1).astype(float))
    return np.concatenate(parts, axis=1)


def favourable_scores_by_hand(model: str, frame: pd.DataFrame) -> np.ndarray:
    """P(favourable class) from the model's network run on ``flat_by_hand``'s encoding (not through the adapter)."""
    from xaudit.models import load_model

    adapter = load_model(model)
    x = torch.from_numpy(flat_by_hand(adapter.schema, frame)).float()
    with torch.no_grad():
        probabilities = torch.softmax(adapter.model.eval()(x).double(), -1)
    return probabilities[:, adapter.labels.index(adapter.favourable)].numpy()


def sample_rows(n: int = 3) -> list[dict[str, object]]:
    return synthetic_frame(n, seed=1).to_dict("records")
