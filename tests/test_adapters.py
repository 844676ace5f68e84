"""The adapter contract on every kind: shapes, embeddings round trip, attentions, no mutation."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from xaudit.datasets import digits
from xaudit.errors import DataError, ModelError
from xaudit.models.base import ModelAdapter, unit_view
from xaudit.models.hf import HFMaskedLMAdapter
from xaudit.models.loading import ADAPTERS, load_model
from tests.tabular_synthetic import sample_rows

TEXTS = ["the keys to the old cabinet", "my dog", "the author that the senators admire near our city"]
KINDS = [kind.example for kind in ADAPTERS.values()]


def sample_inputs(adapter):
    if isinstance(adapter, HFMaskedLMAdapter):
        return ["the keys to the [MASK] cabinet", "[MASK] dog", "the author that the senators admire near our [MASK]"]
    if adapter.modality == "text":
        return TEXTS
    if adapter.modality == "tabular":
        return sample_rows(3)
    return list(digits.splits(0).test.images[:3])


@pytest.mark.parametrize("name", KINDS)
def test_each_kind_loads_to_its_adapter(tiny_adapters, name):
    (kind,) = [k for k in ADAPTERS.values() if k.example == name]
    assert type(tiny_adapters[name]) is kind.adapter_class()


@pytest.mark.parametrize("name", KINDS)
def test_the_summary_read_before_loading_matches_the_loaded_adapter(tiny_adapters, tiny_models_dir, tiny_mlm_dir,
                                                                     tiny_tabular_dir, zoo_folder, name):
    """What usage checks read from the JSON files is what the adapter reports once loaded."""
    from xaudit.models.summary import summarize

    adapter = tiny_adapters[name]
    folder = {"mlm": tiny_mlm_dir, "credit": tiny_tabular_dir, "gpt2-lm": zoo_folder("gpt2-lm")}.get(
        name, tiny_models_dir / name)
    summary = summarize(str(folder))
    (kind,) = [k for k in ADAPTERS.values() if k.example == name]
    assert (summary.kind, summary.modality) == (adapter.kind, adapter.modality) == (kind.kind, kind.modality)
    assert summary.attention_layers == adapter.attention_layers and summary.has_attentions == adapter.has_attentions
    assert summary.labels == (None if name in ("mlm", "gpt2-lm") else adapter.labels)


@pytest.mark.parametrize("name", KINDS)
def test_protocol_and_forward_shapes(tiny_adapters, name):
    adapter = tiny_adapters[name]
    assert isinstance(adapter, ModelAdapter)
    batch = adapter.encode(sample_inputs(adapter))
    logits = adapter.forward(batch)
    assert logits.shape == (3, len(adapter.labels))
    emb = adapter.embed(batch)
    assert unit_view(emb, adapter.modality).shape[:2] == (3, max(batch.lengths))


@pytest.mark.parametrize("name", KINDS)
def test_forward_from_embeddings_reproduces_forward(tiny_adapters, name):
    adapter = tiny_adapters[name]
    batch = adapter.encode(sample_inputs(adapter))
    emb = adapter.embed(batch)
    torch.testing.assert_close(adapter.forward_from_embeddings(emb, batch), adapter.forward(batch))
    stacked = adapter.forward_from_embeddings(torch.cat([emb, emb]), batch)  # IG-style block tiling
    torch.testing.assert_close(stacked, torch.cat([adapter.forward(batch)] * 2))


@pytest.mark.parametrize("name", ["bert", "lstm", "credit"])
def test_batched_equals_one_by_one(tiny_adapters, name):
    adapter = tiny_adapters[name]
    inputs = sample_inputs(adapter)
    together = adapter.forward(adapter.encode(inputs))
    alone = torch.cat([adapter.forward(adapter.encode([t])) for t in inputs])
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ["bert", "vit"])
def test_attentions_are_row_stochastic(tiny_adapters, name):
    adapter = tiny_adapters[name]
    batch = adapter.encode(sample_inputs(adapter)[:1])
    attn = adapter.attentions(batch)
    layers, b, heads, n, m = attn.shape
    assert b == 1 and n == m and layers >= 1 and heads >= 1
    torch.testing.assert_close(attn.sum(-1), torch.ones(layers, 1, heads, n))


@pytest.mark.parametrize("name", ["lstm", "cnn", "credit"])
def test_attentions_missing_is_a_clear_error(tiny_adapters, name):
    adapter = tiny_adapters[name]
    with pytest.raises(ModelError, match=f"{name!r} is a .* model and has no attention weights"):
        adapter.attentions(adapter.encode(sample_inputs(adapter)))


def own_hooks(model) -> list[int]:
    """Forward hooks per module, leaving out those transformers installs once and keeps (it records
    attentions through them since v5)."""
    return [sum(not getattr(h, "__module__", "").startswith("transformers.") for h in m._forward_hooks.values())
            for m in model.modules()]


@pytest.mark.parametrize("name", KINDS)
def test_adapter_does_not_mutate_the_model(tiny_adapters, name):
    adapter = tiny_adapters[name]
    model = adapter.model
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    hooks_before = own_hooks(model)
    batch = adapter.encode(sample_inputs(adapter))
    emb = adapter.embed(batch).requires_grad_(True)
    torch.autograd.grad(adapter.forward_from_embeddings(emb, batch)[:, 0].sum(), emb)
    adapter.forward(batch)
    if adapter.has_attentions:
        adapter.attentions(batch)
    assert all(m.training for m in model.modules())
    assert all(p.grad is None for p in model.parameters())
    assert own_hooks(model) == hooks_before
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key])
    model.eval()


def test_text_truncation_is_counted(tiny_adapters):
    adapter = tiny_adapters["bert"]
    long_text = " ".join(["the old dog"] * 40)
    batch = adapter.encode([long_text, "my dog"])
    assert batch.truncated[0] == 3 * 40 + 2 - adapter.max_length
    assert batch.truncated[1] == 0
    assert len(batch.units[0]) == adapter.max_length


@pytest.mark.parametrize("name", ["bert", "lstm"])
def test_bad_text_input(tiny_adapters, name):
    adapter = tiny_adapters[name]
    with pytest.raises(DataError, match="empty text"):
        adapter.encode(["   "])
    with pytest.raises(DataError, match="no input texts"):
        adapter.encode([])


@pytest.mark.parametrize("name", ["cnn", "vit"])
def test_bad_image_input(tiny_adapters, name):
    adapter = tiny_adapters[name]
    with pytest.raises(DataError, match="expected"):
        adapter.encode([np.zeros((8, 8, 3))])
    with pytest.raises(DataError, match="outside"):
        adapter.encode([np.full((8, 8), 16.0)])
    with pytest.raises(DataError, match="NaN"):
        adapter.encode([np.full((8, 8), np.nan)])


def test_text_baselines_and_blank_value(tiny_adapters):
    adapter = tiny_adapters["bert"]
    batch = adapter.encode(TEXTS[:1])
    emb = adapter.embed(batch)
    table = adapter.model.get_input_embeddings().weight
    pad = adapter.baseline(batch, "pad")
    words = slice(1, len(batch.units[0]) - 1)  # [CLS] words [SEP]
    assert torch.equal(pad[0, words], table[adapter.tokenizer.pad_token_id].expand_as(pad[0, words]))
    assert torch.equal(pad[0, 0], emb[0, 0]) and torch.equal(pad[0, -1], emb[0, -1])  # specials kept
    zero = adapter.baseline(batch, "zero")
    assert torch.equal(zero[0, words], torch.zeros_like(zero[0, words])) and torch.equal(zero[0, 0], emb[0, 0])
    assert torch.equal(adapter.blank_value(batch)[0, 3], table[adapter.tokenizer.unk_token_id])


def test_image_black_baseline_is_a_black_image(tiny_adapters):
    adapter = tiny_adapters["cnn"]
    batch = adapter.encode(sample_inputs(adapter))
    assert torch.equal(adapter.baseline(batch), torch.zeros_like(adapter.embed(batch)))


def test_vit_patch_scores_map_to_their_pixels(tiny_adapters):
    adapter = tiny_adapters["vit"]
    tokens = 1 + (8 // adapter.patch_size) ** 2
    scores = torch.arange(tokens, dtype=torch.float32)
    pixels = adapter.attention_to_units(scores).reshape(8, 8)
    assert pixels[0, 0] == 1 and pixels[1, 1] == 1  # first patch covers the top-left 2x2 pixels
    assert pixels[0, 2] == 2 and pixels[7, 7] == tokens - 1


def test_vit_with_an_image_processor(tmp_path, tiny_models_dir):
    from transformers import ViTImageProcessor

    folder = tmp_path / "vit"
    shutil.copytree(tiny_models_dir / "vit", folder)
    ViTImageProcessor(do_resize=False, image_mean=[0.5], image_std=[0.5]).save_pretrained(folder)
    adapter = load_model(str(folder))
    batch = adapter.encode([np.ones((8, 8)) * 0.75])
    torch.testing.assert_close(batch.inputs["pixel_values"], torch.full((1, 1, 8, 8), 0.5))


def test_masked_lm_adapter_reads_the_mask_position(tmp_path, tiny_models_dir):
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    tokenizer = AutoTokenizer.from_pretrained(tiny_models_dir / "bert")
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=64)
    torch.manual_seed(0)
    BertForMaskedLM(config).save_pretrained(tmp_path / "mlm")
    tokenizer.save_pretrained(tmp_path / "mlm")
    adapter = load_model(str(tmp_path / "mlm"))
    assert type(adapter).__name__ == "HFMaskedLMAdapter"
    batch = adapter.encode(["the keys to the [MASK]", "[MASK] dog"])
    logits = adapter.forward(batch)
    assert logits.shape == (2, tokenizer.vocab_size)
    full = adapter.model(**batch.inputs).logits
    torch.testing.assert_close(logits[0], full[0, 5])
    with pytest.raises(DataError, match="exactly once"):
        adapter.encode(["no mask here"])
