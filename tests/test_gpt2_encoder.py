"""Abnar & Zuidema's classifier: GPT-2 blocks without the causal mask, trained by our recipe, run by our methods."""

from __future__ import annotations

import pytest
import torch

from xaudit.models.gpt2_encoder import GPT2EncoderConfig, GPT2EncoderForSequenceClassification


@pytest.fixture(scope="module")
def tiny_model():
    config = GPT2EncoderConfig(vocab_size=20, n_positions=16, n_embd=16, n_layer=2, n_head=2, num_labels=2)
    torch.manual_seed(0)
    return GPT2EncoderForSequenceClassification._from_config(config, attn_implementation="eager").eval()


def test_every_token_attends_to_later_tokens_and_never_to_padding(tiny_model):
    ids = torch.tensor([[1, 5, 6, 7, 2], [1, 5, 6, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    attentions = tiny_model(ids, mask, output_attentions=True).attentions
    assert len(attentions) == 2 and attentions[0].shape == (2, 2, 5, 5)
    for layer in attentions:
        assert (layer[0].triu(diagonal=1) > 0).sum() == 2 * 10  # every pair above the diagonal: not causal
        assert torch.all(layer[1, :, :, 3:] == 0)  # padded keys get no attention
        torch.testing.assert_close(layer.sum(-1), torch.ones(2, 2, 5))


def test_the_cls_decision_reads_the_last_word_and_ignores_padding(tiny_model):
    mask = torch.ones(1, 4, dtype=torch.long)
    first = tiny_model(torch.tensor([[1, 5, 6, 7]]), mask).logits
    changed = tiny_model(torch.tensor([[1, 5, 6, 9]]), mask).logits  # only the last token differs
    assert not torch.allclose(first, changed)
    padded = tiny_model(torch.tensor([[1, 5, 6, 7, 0, 0]]), torch.tensor([[1, 1, 1, 1, 0, 0]])).logits
    torch.testing.assert_close(first, padded)
    assert tiny_model.config._attn_implementation == "eager"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The recipe at its tiny preset, reloaded through the public loader: (card, adapter)."""
    from xaudit.models.loading import load_folder
    from xaudit.training.recipes import train

    folder = tmp_path_factory.mktemp("models") / "gpt2-encoder"
    card = train("gpt2-encoder", folder, preset="tiny")
    return card, load_folder(folder, name="gpt2-encoder", allow_pickle=False, device="cpu")


def test_recipe_trains_a_model_that_the_paper_protocol_evaluates(trained):
    from xaudit.attribution.registry import build_methods
    from xaudit.evaluation.protocols import paper_references
    from xaudit.evaluation.runner import evaluate

    card, adapter = trained
    assert card["hyperparameters"]["attn_pdrop"] == 0.6 and card["hyperparameters"]["l2"] == 1e-4
    assert {"config", "data", "seed", "metrics", "device"} <= set(card) and "test_accuracy" in card["metrics"]
    assert type(adapter.model).__name__ == "GPT2EncoderForSequenceClassification"
    assert adapter.output_positions(adapter.encode(["the dog"])) == [0]
    texts = ["the dog near the cats", "my keys"]
    result = evaluate(adapter, texts, [0, 1], build_methods(["attention", "rollout", "flow"], {}),
                      paper_references(["blankout", "saliency"]), protocol="paper", stability_samples=0,
                      removal=False)
    assert result.get("flow", "spearman_vs_blankout", 2).n == 2


def test_every_method_that_supports_it_explains_it(trained):
    import numpy as np

    from xaudit.attribution import METHODS, get_method

    _, adapter = trained
    batch = adapter.encode(["the keys to the old cabinet", "my dog"])
    for name, method in sorted(METHODS.items()):
        if method.why_not(adapter) is not None:
            continue
        results = get_method(name).attribute(adapter, batch, target=[0, 1])
        assert [len(r.scores) for r in results] == batch.lengths, name
        assert all(np.isfinite(r.scores).all() for r in results), name
