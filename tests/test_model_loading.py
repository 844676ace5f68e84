"""Loading rules: registered names, folders, pickle refusal, corrupt and mismatched checkpoints."""

from __future__ import annotations

import shutil

import pytest
import torch

from xaudit.errors import ModelError, ParameterError
from xaudit.models.loading import load_folder, load_model


def copied(tmp_path, tiny_models_dir, name: str):
    """A copy of the tiny model folder ``name`` that a test may change."""
    folder = tmp_path / name
    shutil.copytree(tiny_models_dir / name, folder)
    return folder


def refusal(load) -> str:
    """The message of the ModelError that ``load()`` raises."""
    with pytest.raises(ModelError) as caught:
        load()
    return str(caught.value)


def test_an_unknown_bare_name_is_a_hub_id_that_fails_offline_naming_the_reference_models(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match=r"unknown model 'brt': not a reference model \(bert, cnn, credit, gpt2-encoder, "
                                         r"income, lstm, mlm, vit\) nor a local path, and as a hub id: it is not in the local "
                                         r"cache and the hub is offline .*did you mean 'bert'\?"):
        load_model("brt")


def test_missing_folder_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_folder(tmp_path / "nowhere", name="x", allow_pickle=False, device="cpu")


def test_pickle_file_is_refused_by_default(tmp_path, tiny_models_dir):
    folder = copied(tmp_path, tiny_models_dir, "lstm")
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

    folder = copied(tmp_path, tiny_models_dir, "lstm")
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

    folder = copied(tmp_path, tiny_models_dir, "cnn")
    card = json.loads((folder / "card.json").read_text())
    del card["labels"]
    (folder / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError, match="incomplete or invalid"):
        load_model(str(folder))


def test_hf_folder_with_only_pickle_weights_is_refused(tmp_path, tiny_models_dir):
    folder = copied(tmp_path, tiny_models_dir, "bert")
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(ModelError, match=r"refusing to load pickle checkpoint .*pytorch_model\.bin"):
        load_model(str(folder))


def test_corrupt_checkpoint_names_the_file(tmp_path, tiny_models_dir):
    folder = copied(tmp_path, tiny_models_dir, "cnn")
    (folder / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelError, match=r"model\.safetensors is corrupt or unreadable"):
        load_model(str(folder))


def test_corrupt_hf_checkpoint_is_a_model_error(tmp_path, tiny_models_dir):
    folder = copied(tmp_path, tiny_models_dir, "vit")
    (folder / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ModelError, match="cannot load model weights"):
        load_model(str(folder))


def test_card_that_does_not_match_weights(tmp_path, tiny_models_dir):
    import json

    folder = copied(tmp_path, tiny_models_dir, "cnn")
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
    with pytest.raises(ModelError, match="unknown model 'no-such-org/no-such-model'.*hub is offline"):
        load_model("no-such-org/no-such-model")


def test_a_hub_id_offline_fails_in_one_line_without_a_traceback():
    """What a user's terminal shows for a hub id (bare, as the README's cloze example writes it) with no network."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, HF_HUB_OFFLINE="1")
    done = subprocess.run([sys.executable, "-c", "from xaudit.cli import main; main()", "attribute", "--model",
                           "no-such-model-xaudit-test", "--text", "hi"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("Error: unknown model 'no-such-model-xaudit-test'") and "hub is offline" in lines[0]


def test_hub_probe_reports_offline_mode(monkeypatch):
    from xaudit.models.loading import hub_offline

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub_offline() == "offline (HF_HUB_OFFLINE is set)"


@pytest.mark.parametrize("value", ["1", "on", "Yes", "TRUE"])
def test_offline_mode_is_read_from_the_environment_in_any_case(monkeypatch, value):
    from huggingface_hub import constants

    from xaudit.models.loading import hub_offline

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert hub_offline() == "offline (HF_HUB_OFFLINE is set)"


def test_hub_probe_connects_to_the_endpoint_host_on_443(monkeypatch):
    import socket

    from huggingface_hub import constants

    from xaudit.models import loading

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "ENDPOINT", "https://hub.example.org")
    calls = []

    class Connection:
        def close(self):
            calls.append("closed")

    def answers(address, timeout):
        calls.append((address, timeout))
        return Connection()

    monkeypatch.setattr(socket, "create_connection", answers)
    assert loading.hub_offline() is None
    assert calls == [(("hub.example.org", 443), loading.HUB_PROBE_SECONDS), "closed"]

    def silent(address, timeout):
        raise OSError("no route")

    monkeypatch.setattr(socket, "create_connection", silent)
    assert loading.hub_offline() == f"unreachable (hub.example.org did not answer within {loading.HUB_PROBE_SECONDS:g} s)"


def test_remote_code_is_never_trusted(monkeypatch, tiny_models_dir):
    import transformers

    seen = []
    original = transformers.AutoConfig.from_pretrained

    def recording(*args, **kwargs):
        seen.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", recording)
    load_model(str(tiny_models_dir / "bert"))
    assert seen and all(kwargs.get("trust_remote_code") is False for kwargs in seen)
    assert all(kwargs.get("local_files_only") is True for kwargs in seen)


def test_the_hf_loader_itself_reads_only_safetensors_unless_pickle_is_allowed(tmp_path, tiny_models_dir):
    """Below the folder check (a hub id goes straight to ``load_hf``): a clean pickle is still not read."""
    import torch
    from safetensors.torch import load_file

    from xaudit.models.loading import load_hf

    folder = copied(tmp_path, tiny_models_dir, "bert")
    torch.save(load_file(str(folder / "model.safetensors")), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelError):
        load_hf(str(folder), name="b", allow_pickle=False, device="cpu", local=True)
    assert load_hf(str(folder), name="b", allow_pickle=True, device="cpu", local=True).name == "b"


@pytest.mark.parametrize("change", ["extra", "missing"])
def test_weights_must_match_the_network_key_for_key(tmp_path, tiny_models_dir, change):
    from safetensors.torch import load_file, save_file

    folder = copied(tmp_path, tiny_models_dir, "lstm")
    state = load_file(str(folder / "model.safetensors"))
    if change == "extra":
        state["unexpected.weight"] = next(iter(state.values())).clone()
    else:
        state.pop(next(iter(state)))
    save_file(state, str(folder / "model.safetensors"))
    with pytest.raises(ModelError, match="does not match its card"):
        load_model(str(folder))


def test_models_keep_the_name_they_were_asked_for(tmp_path, tiny_models_dir):
    assert load_model("bert").name == "bert"
    for kind in ("lstm", "bert", "vit"):
        folder = str(tiny_models_dir / kind)
        assert load_model(folder).name == folder


def test_cuda_without_a_cuda_device_is_a_usage_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # also on a machine that has CUDA
    with pytest.raises(ParameterError, match="^`device` cuda was asked for, but no CUDA device is available$"):
        load_model("bert", device="cuda:0")


PICKLE_ADVICE = "unpickling can run arbitrary code. Convert it to safetensors, or pass `allow_pickle` if you trust its source"


def test_hub_failures_name_the_first_line_of_the_error_and_the_close_references():
    import re

    from xaudit.models.loading import _hub_failure

    known = "not a reference model (bert, cnn, credit, gpt2-encoder, income, lstm, mlm, vit) nor a local path"
    failure = _hub_failure("org/none", OSError("404 Client Error: Not Found\nsecond line"), None)
    assert str(failure) == f"unknown model 'org/none': {known}, and as a hub id: 404 Client Error: Not Found"
    assert str(_hub_failure("org/none", ValueError("  "), None)).endswith("as a hub id: ValueError")
    two = _hub_failure("lm", OSError("x"), "offline (HF_HUB_OFFLINE is set)")
    assert re.fullmatch(r".*hub is offline \(HF_HUB_OFFLINE is set\); did you mean 'mlm' or 'lstm'\?", str(two))


def test_the_pickle_refusal_names_the_file_and_the_way_out(tmp_path, tiny_models_dir):
    folder = copied(tmp_path, tiny_models_dir, "lstm")
    torch.save({}, folder / "model.pt")
    expected = f"refusing to load pickle checkpoint {folder / 'model.pt'}: {PICKLE_ADVICE}"
    for load in (lambda: load_model(str(folder / "model.pt")),
                 lambda: load_folder(folder, name="x", allow_pickle=False, device="cpu", weights=folder / "model.pt")):
        assert refusal(load) == expected


def test_a_missing_checkpoint_names_the_pickles_beside_it_only_when_there_are_some(tmp_path, tiny_models_dir):
    folder = copied(tmp_path, tiny_models_dir, "lstm")
    (folder / "model.safetensors").unlink()
    assert refusal(lambda: load_model(str(folder))) == f"no checkpoint {folder / 'model.safetensors'}"
    for name in ("b.bin", "a.pt"):
        (folder / name).write_bytes(b"")
    assert refusal(lambda: load_model(str(folder))) == (f"no checkpoint {folder / 'model.safetensors'}; found a.pt, b.bin: name the file and "
                                 "pass `allow_pickle` to use it")


def test_an_hf_folder_without_weights_is_refused_and_a_local_folder_never_probes_the_hub(tmp_path, tiny_models_dir,
                                                                                       monkeypatch):
    from xaudit.models import loading

    def no_probe():
        raise AssertionError("a local folder probed the hub")

    monkeypatch.setattr(loading, "hub_offline", no_probe)
    assert load_model(str(tiny_models_dir / "bert")).kind == "transformer"
    folder = copied(tmp_path, tiny_models_dir, "bert")
    (folder / "model.safetensors").unlink()
    assert refusal(lambda: load_model(str(folder))) == f"no weights in {folder}: expected a .safetensors file"


def test_a_home_relative_path_is_local_even_when_its_folders_do_not_exist(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ParameterError, match="^no such model file or folder: ~/no-such-xaudit-dir/sub/model$"):
        load_model("~/no-such-xaudit-dir/sub/model")
    with pytest.raises(ParameterError, match=r"^no such model file or folder: ~no-such-xaudit-user/m \(cannot expand its ~\)$"):
        load_model("~no-such-xaudit-user/m")
    from xaudit.models.summary import summarize  # what the CLI reads before loading

    with pytest.raises(ParameterError, match=r"^no such model file or folder: ~no-such-xaudit-user/m \(cannot"):
        summarize("~no-such-xaudit-user/m")


def test_a_vit_folder_with_an_image_processor_uses_it(tmp_path, tiny_models_dir):
    from transformers import ViTImageProcessor

    folder = copied(tmp_path, tiny_models_dir, "vit")
    assert load_model(str(folder)).processor is None  # none saved: none used
    ViTImageProcessor(size={"height": 20, "width": 20}, image_mean=[0.3], image_std=[0.2]).save_pretrained(folder)
    processor = load_model(str(folder)).processor
    assert processor is not None and processor.size == {"height": 20, "width": 20}
    assert list(processor.image_mean) == [0.3]
    (folder / "preprocessor_config.json").write_text("{not json")
    with pytest.raises(ModelError, match=f"^cannot load image processor from '{folder}': "):
        load_model(str(folder))


def test_the_hub_probe_falls_back_to_huggingface_co_and_gives_up_after_its_wait(monkeypatch):
    import socket
    import threading

    from huggingface_hub import constants

    from xaudit.models import loading

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "ENDPOINT", "")  # no host in it
    monkeypatch.setattr(loading, "HUB_PROBE_SECONDS", 0.05)
    release, hosts = threading.Event(), []

    class Connection:
        def close(self):
            pass

    def slow(address, timeout):  # answers only once the probe has given up (or after 20 s)
        hosts.append(address[0])
        release.wait(20)
        return Connection()

    monkeypatch.setattr(socket, "create_connection", slow)
    try:
        assert loading.hub_offline() == "unreachable (huggingface.co did not answer within 0.05 s)"
    finally:
        release.set()
    assert hosts == ["huggingface.co"]


SUPPORTED = "*ForSequenceClassification, *ForMaskedLM, *ForCausalLM, *ForImageClassification"


@pytest.mark.parametrize("architectures, shown", [(["BertForPreTraining"], "['BertForPreTraining']"), (None, "none")])
def test_an_unsupported_architecture_names_what_is_supported(tmp_path, tiny_models_dir, architectures, shown):
    import json

    folder = copied(tmp_path, tiny_models_dir, "bert")
    config = json.loads((folder / "config.json").read_text())
    config["architectures"] = architectures
    (folder / "config.json").write_text(json.dumps(config))
    assert refusal(lambda: load_model(str(folder))) == f"model {str(folder)!r} has architectures {shown}; xaudit supports {SUPPORTED}"


def test_an_unreadable_config_or_tokenizer_in_a_folder_is_named(tmp_path, tiny_models_dir):
    folder = copied(tmp_path, tiny_models_dir, "bert")
    (folder / "tokenizer.json").write_text("{not json")
    with pytest.raises(ModelError, match=f"^cannot load tokenizer from {str(folder)!r}: "):
        load_model(str(folder))
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match=f"^cannot load model config from folder {str(folder)!r}: "):
        load_model(str(folder))


@pytest.mark.parametrize("offline", [None, "offline (HF_HUB_OFFLINE is set)"])
def test_a_hub_id_reads_only_the_local_cache_when_the_hub_is_offline(monkeypatch, offline):
    import transformers

    from xaudit.models import loading

    seen = []

    def refusing(spec, **options):
        seen.append(options)
        raise OSError("Repository Not Found for url\nmore")

    monkeypatch.setattr(loading, "hub_offline", lambda: offline)
    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", refusing)
    with pytest.raises(ModelError) as caught:
        load_model("org/model")
    assert seen == [{"trust_remote_code": False, "local_files_only": offline is not None}]
    why = "Repository Not Found for url" if offline is None else f"it is not in the local cache and the hub is {offline}"
    assert str(caught.value).endswith(f"as a hub id: {why}")


def test_a_safetensors_file_named_directly_is_loaded(tmp_path, tiny_models_dir):
    folder = copied(tmp_path, tiny_models_dir, "lstm")
    (folder / "model.safetensors").rename(folder / "chosen.safetensors")
    assert load_model(str(folder / "chosen.safetensors")).kind == "recurrent"


def test_a_card_naming_an_unknown_architecture_is_refused(tmp_path, tiny_models_dir):
    import json

    folder = copied(tmp_path, tiny_models_dir, "cnn")
    card = json.loads((folder / "card.json").read_text())
    card["architecture"] = "capsule"
    (folder / "card.json").write_text(json.dumps(card))
    assert refusal(lambda: load_model(str(folder))) == f"model card in {folder} names unknown architecture 'capsule'"


@pytest.mark.parametrize("tokenizer", [type("Slow", (), {"is_fast": False})(), object()])
def test_a_model_without_a_fast_tokenizer_is_refused(tiny_models_dir, monkeypatch, tokenizer):
    import transformers

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", lambda *args, **kwargs: tokenizer)
    spec = str(tiny_models_dir / "bert")
    assert refusal(lambda: load_model(spec)) == f"model {spec!r} has no fast tokenizer; xaudit needs one for word alignment"
