"""A checkpoint whose pickle runs code when loaded never runs: refused without ``allow_pickle``, rejected
by the weights-only unpickler with it. The marker file the payload writes must never appear."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from xaudit.errors import ModelError
from xaudit.models.loading import load_folder, load_model


class WritesMarker:
    """Unpickling this calls ``exec``, which writes ``path`` (what a hostile checkpoint would do)."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return exec, (f"open({str(self.path)!r}, 'w').write('pwned')",)


def hostile_state(state: dict[str, torch.Tensor], marker: Path) -> dict[str, object]:
    return {**state, "payload": WritesMarker(marker)}


def assert_payload_is_live(checkpoint: Path, marker: Path) -> None:
    """The control: a plain unpickler does run the payload (so the checks above it could fail)."""
    torch.load(checkpoint, map_location="cpu", weights_only=False)
    assert marker.read_text() == "pwned"


def test_hostile_checkpoint_never_runs(tmp_path, tiny_models_dir):
    from safetensors.torch import load_file

    folder = tmp_path / "lstm"
    shutil.copytree(tiny_models_dir / "lstm", folder)
    marker = tmp_path / "marker"
    checkpoint = folder / "model.pt"
    torch.save(hostile_state(load_file(str(folder / "model.safetensors")), marker), checkpoint)
    with pytest.raises(ModelError, match="refusing to load pickle checkpoint"):
        load_model(str(checkpoint))
    assert not marker.exists()
    with pytest.raises(ModelError, match="refusing to load pickle checkpoint"):  # the library path, no CLI check
        load_folder(folder, name="lstm", allow_pickle=False, device="cpu", weights=checkpoint)
    assert not marker.exists()
    with pytest.raises(ModelError, match="not a weights-only pickle"):
        load_model(str(checkpoint), allow_pickle=True)
    assert not marker.exists()
    assert_payload_is_live(checkpoint, marker)


def test_hostile_hf_checkpoint_never_runs(tmp_path, tiny_models_dir):
    from safetensors.torch import load_file

    folder = tmp_path / "bert"
    shutil.copytree(tiny_models_dir / "bert", folder)
    marker = tmp_path / "marker"
    weights = folder / "model.safetensors"
    torch.save(hostile_state(load_file(str(weights)), marker), folder / "pytorch_model.bin")
    weights.unlink()
    with pytest.raises(ModelError, match="refusing to load pickle checkpoint"):
        load_model(str(folder))
    assert not marker.exists()
    with pytest.raises(ModelError, match="Weights only load failed"):  # transformers' weights-only loader
        load_model(str(folder), allow_pickle=True)
    assert not marker.exists()
    assert_payload_is_live(folder / "pytorch_model.bin", marker)
