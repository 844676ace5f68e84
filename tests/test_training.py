"""Training recipes at the tiny preset: outputs, cards, determinism."""

from __future__ import annotations

import json

import pytest
from safetensors.torch import load_file

from xaudit.errors import ParameterError
from xaudit.training.recipes import train

CARD_FIELDS = {"name", "kind", "task", "config", "data", "seed", "metrics", "device", "wall_time_s", "parameters"}


@pytest.mark.parametrize("name", ["bert", "lstm", "cnn", "vit"])
def test_tiny_training_writes_safetensors_and_a_card(tiny_models_dir, name):
    folder = tiny_models_dir / name
    card = json.loads((folder / "card.json").read_text())
    assert CARD_FIELDS <= set(card)
    assert card["preset"] == "tiny" and card["device"].startswith("cpu")
    assert 0.0 <= card["metrics"]["test_accuracy"] <= 1.0
    assert (folder / "model.safetensors").exists()
    assert not [p for p in folder.iterdir() if p.suffix in {".bin", ".pt", ".pth"}]


def test_same_seed_gives_identical_weights(tmp_path):
    train("lstm", tmp_path / "a", seed=7, preset="tiny")
    train("lstm", tmp_path / "b", seed=7, preset="tiny")
    train("lstm", tmp_path / "c", seed=8, preset="tiny")
    a, b, c = (load_file(str(tmp_path / x / "model.safetensors")) for x in "abc")
    assert all((a[k] == b[k]).all() for k in a)
    assert any((a[k] != c[k]).any() for k in a)


def test_unknown_recipe_and_preset(tmp_path):
    with pytest.raises(ParameterError, match="unknown model 'gpt'"):
        train("gpt", tmp_path / "x")
    with pytest.raises(ParameterError, match="unknown preset 'huge'"):
        train("cnn", tmp_path / "x", preset="huge")


def test_every_reference_model_record_names_a_recipe_and_both_presets():
    import inspect

    from xaudit.models.registry import REFERENCE_MODELS

    for model in REFERENCE_MODELS.values():
        recipe = model.recipe()
        assert recipe.__name__ == f"train_{model.name.replace('-', '_')}" and set(model.presets) == {"full", "tiny"}
        assert ("corpus_dir" in inspect.signature(recipe).parameters) == model.reads_corpus
        assert ("data_dir" in inspect.signature(recipe).parameters) == model.reads_tables
        assert model.data and model.description


def test_cuda_asked_without_a_gpu(tmp_path, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ParameterError, match="no CUDA device"):
        train("cnn", tmp_path / "x", device="cuda", preset="tiny")


def test_unk_dropout_replaces_words_but_not_special_tokens():
    import torch

    from xaudit.training.recipes import UNK_RATE, _unk_dropout

    ids = torch.tensor([[2] + [7] * 998 + [3]] * 20)
    mask = torch.ones_like(ids)
    mask[:, -100:-1] = 0  # padding is never replaced
    out = _unk_dropout(1, (2, 3))({"input_ids": ids, "attention_mask": mask}, torch.Generator().manual_seed(0))
    replaced = out["input_ids"] == 1
    assert not replaced[:, 0].any() and not replaced[:, -1].any() and not replaced[:, -100:-1].any()
    assert abs(float(replaced[:, 1:-100].float().mean()) - UNK_RATE) < 0.01
