"""Loading rules: registered names, folders, pickle refusal, corrupt and mismatched checkpoints."""

from __future__ import annotations

import shutil

import pytest
import torch

from xaudit.errors import ModelError, ParameterError
from xaudit.models.loading import load_folder, load_model


def test_unknown_name_lists_registered_models():
    with pytest.raises(ParameterError, match="unknown model 'brt'; choose one of: bert, cnn, credit, income, lstm, "
                                             "mlm, vit"):
        load_model("brt")


def test_missing_folder_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_folder(tmp_path / "nowhere", name="x", allow_pickle=False, device="cpu")


def test_pickle_file_is_refused_by_default(tmp_path, tiny_models_dir):
    folder = tmp_path / "lstm"
    shutil.copytree(tiny_models_dir / "lstm", folder)
    from safetensors.torch import load_file

    torch.save(load_file(str(folder / "model.safetensors")), folder / "model.pt")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelError, match=r"refusing to load pickle checkpoint .*model\.pt"):
        load_model(str(folder / "model.pt"))
    # A folder is never resolved to some pickle inside it: the file must be named.
    with pytest.raises(ModelError, match="found model.pt: name the file and pass `allow_pickle`"):
        load_model(str(folder), allow_pickle=True)
    adapter = load_model(str(folder / "model.pt"), allow_pickle=True)  # explicit opt-in, weights_only=True
    assert adapter.kind == "recurrent"


def test_the_named_pickle_is_the_one_loaded(tmp_path, tiny_models_dir):
    from safetensors.torch import load_file

    folder = tmp_path / "lstm"
    shutil.copytree(tiny_models_dir / "lstm", folder)
    state = load_file(str(folder / "model.safetensors"))
    torch.save(state, folder / "a_good.pt")
    torch.save({k: torch.zeros_like(v) for k, v in state.items()}, folder / "b_other.pt")
    adapter = load_model(str(folder / "a_good.pt"), allow_pickle=True)
    assert torch.equal(adapter.model.embedding.weight, state["embedding.weight"])
    with pytest.raises(ModelError, match="not a weights-only pickle"):
        (folder / "c_broken.pt").write_bytes(b"junk")
        load_model(str(folder / "c_broken.pt"), allow_pickle=True)


def test_local_looking_paths_never_go_to_the_hub(tmp_path):
    with pytest.raises(ParameterError, match="no such model file or folder"):
        load_model(str(tmp_path / "typo" / "model"))
    with pytest.raises(ParameterError, match="no such model file or folder"):
        load_model("./models/mybert")


def test_incomplete_card_is_a_model_error(tmp_path, tiny_models_dir):
    import json

    folder = tmp_path / "cnn"
    shutil.copytree(tiny_models_dir / "cnn", folder)
    card = json.loads((folder / "card.json").read_text())
    del card["labels"]
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="incomplete or invalid"):
        load_model(str(folder))


def test_hf_folder_with_only_pickle_weights_is_refused(tmp_path, tiny_models_dir):
    folder = tmp_path / "bert"
    shutil.copytree(tiny_models_dir / "bert", folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(ModelError, match=r"refusing to load pickle checkpoint .*pytorch_model\.bin"):
        load_model(str(folder))


def test_corrupt_checkpoint_names_the_file(tmp_path, tiny_models_dir):
    folder = tmp_path / "cnn"
    shutil.copytree(tiny_models_dir / "cnn", folder)
    (folder / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelError, match=r"model\.safetensors is corrupt or unreadable"):
        load_model(str(folder))


def test_corrupt_hf_checkpoint_is_a_model_error(tmp_path, tiny_models_dir):
    folder = tmp_path / "vit"
    shutil.copytree(tiny_models_dir / "vit", folder)
    (folder / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ModelError, match="cannot load model weights"):
        load_model(str(folder))


def test_card_that_does_not_match_weights(tmp_path, tiny_models_dir):
    import json

    folder = tmp_path / "cnn"
    shutil.copytree(tiny_models_dir / "cnn", folder)
    card = json.loads((folder / "card.json").read_text())
    card["config"]["hidden"] += 1
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="does not match its card"):
        load_model(str(folder))


def test_folder_without_a_model(tmp_path):
    with pytest.raises(ModelError, match="no model found"):
        load_model(str(tmp_path))


def test_hub_id_that_cannot_be_fetched_is_a_model_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="cannot load model config"):
        load_model("no-such-org/no-such-model")
