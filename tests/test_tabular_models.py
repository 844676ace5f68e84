"""The tabular reference models credit and income: shipped checkpoints, cards, held-out quality re-measured."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
import torch

from xaudit.datasets.decision_data import TABLES, split_indices
from xaudit.errors import DataError
from xaudit.models import load_model
from xaudit.models.cards import read_card
from xaudit.paths import SHIPPED_MODELS_DIR
from xaudit.training.recipes import train

TABLE_OF = {"credit": "german", "income": "adult"}
MAX_BYTES = 1024 * 1024
CARD_FIELDS = {"schema", "labels", "audit", "data", "seed", "metrics", "device", "wall_time_s", "inputs", "config"}


@pytest.mark.parametrize("name", sorted(TABLE_OF))
def test_shipped_checkpoint_is_small_safe_and_carded(name):
    folder = SHIPPED_MODELS_DIR / name
    assert sorted(p.name for p in folder.iterdir()) == ["card.json", "model.safetensors"]
    assert sum(p.stat().st_size for p in folder.iterdir()) < MAX_BYTES
    card = read_card(folder)
    assert CARD_FIELDS <= set(card) and card["preset"] == "full" and card["architecture"] == "tabular"
    spec = TABLES[TABLE_OF[name]]
    assert card["inputs"]["protected_are_inputs"] and set(spec.protected) <= set(card["inputs"]["columns"])
    assert card["audit"]["label_col"] == spec.label and card["audit"]["favourable_label"] == card["labels"][1]
    assert {"sha256", "split", "file", "rows"} <= set(card["data"])
    assert {"test_accuracy", "test_auc", "test_majority_rate", "test_n"} <= set(card["metrics"])
    adapter = load_model(name)  # loads without the shared data
    assert adapter.schema.names == card["inputs"]["columns"] and adapter.labels == card["labels"]


def test_german_sex_groups_follow_german_txt():
    """german.txt, attribute 9: A91 male divorced, A92 female, A93 male single, A94 male married, A95 female single."""
    groupings = read_card(SHIPPED_MODELS_DIR / "credit")["audit"]["groupings"]
    assert groupings["sex"] == {"column": "personal_status", "map": {
        "A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}}
    assert groupings["age_group"]["column"] == "age" and groupings["age_group"]["cut"] == 25


@pytest.mark.data
@pytest.mark.parametrize("name", sorted(TABLE_OF))
def test_held_out_quality_is_reproduced_and_beats_the_majority_class(data_dir, name):
    from sklearn.metrics import roc_auc_score

    card = read_card(SHIPPED_MODELS_DIR / name)
    spec = TABLES[TABLE_OF[name]]
    path = data_dir / spec.file
    assert hashlib.sha256(path.read_bytes()).hexdigest() == card["data"]["sha256"]
    frame = pd.read_csv(path, dtype={c: str for c in (*spec.categorical, spec.label)}, keep_default_na=False)
    y = (frame[spec.label] == spec.favourable_value).to_numpy().astype(int)
    test = split_indices(y, card["data"]["split"]["seed"])["test"]
    assert len(test) == card["metrics"]["test_n"]
    adapter = load_model(name)
    with torch.no_grad():
        logits = adapter.forward(adapter.encode(frame.iloc[test]))
    score = torch.softmax(logits.double(), -1)[:, 1].numpy()
    accuracy = float(((score >= 0.5) == y[test]).mean())
    majority = max(y[test].mean(), 1 - y[test].mean())
    assert accuracy == pytest.approx(card["metrics"]["test_accuracy"], abs=1e-12)
    assert roc_auc_score(y[test], score) == pytest.approx(card["metrics"]["test_auc"], abs=1e-9)
    assert accuracy > majority + 0.03
    assert roc_auc_score(y[test], score) > 0.75


@pytest.mark.data
def test_tiny_training_records_data_and_split(data_dir, tmp_path):
    card = train("credit", tmp_path / "credit", preset="tiny", data_dir=data_dir, seed=3)
    assert card["data"]["split"]["seed"] == 3
    assert sum(card["data"]["split"][f"n_{part}"] for part in ("train", "dev", "test")) == card["data"]["rows"]
    assert load_model(str(tmp_path / "credit")).labels == ["bad", "good"]


def test_training_without_the_data_says_where_to_put_it(tmp_path):
    with pytest.raises(DataError, match="german/german.csv in the shared data folder"):
        train("credit", tmp_path / "credit", preset="tiny", data_dir=tmp_path / "empty")


def test_split_is_stratified_disjoint_and_seeded():
    y = np.array([0] * 300 + [1] * 700)
    parts = split_indices(y, 0)
    assert sorted(np.concatenate(list(parts.values())).tolist()) == list(range(1000))
    assert [len(parts[p]) for p in ("train", "dev", "test")] == [600, 200, 200]
    assert y[parts["test"]].mean() == pytest.approx(0.7)
    assert np.array_equal(split_indices(y, 0)["test"], parts["test"])
