"""Decoder classifiers (GPT-2) decide at their last non-padding token: attention methods explain that
position, not position 0 (which under causal attention only sees itself)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from xaudit.attribution import get_method
from xaudit.attribution.explain import explain
from xaudit.models import load_model

CORPUS = ["the keys to the old cabinet are on the table", "my dog sleeps near the warm house",
          "the author that the senators admire writes books", "our city has many old churches"] * 20
TEXTS = ["the keys to the old cabinet", "my dog"]


@pytest.fixture(scope="module")
def gpt2_classifier(tmp_path_factory):
    """A tiny random GPT2ForSequenceClassification with a byte-level BPE tokenizer (no padding token)."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Config, GPT2ForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("gpt2-classifier")
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=300, special_tokens=["<|endoftext|>"])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>", bos_token="<|endoftext|>")
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=tokenizer.vocab_size, n_positions=64, n_embd=32, n_layer=2, n_head=2,
                        num_labels=2, id2label={0: "no", 1: "yes"}, label2id={"no": 0, "yes": 1})
    GPT2ForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return load_model(str(folder))


def test_the_decision_position_is_the_last_real_token(gpt2_classifier):
    batch = gpt2_classifier.encode(TEXTS)
    lengths = batch.inputs["attention_mask"].sum(dim=1).tolist()
    assert lengths[0] != lengths[1]  # the shorter text is padded on the right
    assert gpt2_classifier.output_positions(batch) == [n - 1 for n in lengths]


def test_batched_logits_equal_each_text_alone(gpt2_classifier):
    with torch.no_grad():
        together = gpt2_classifier.forward(gpt2_classifier.encode(TEXTS))
        alone = torch.cat([gpt2_classifier.forward(gpt2_classifier.encode([t])) for t in TEXTS])
    torch.testing.assert_close(together, alone, atol=1e-5, rtol=1e-5)


def test_raw_attention_is_the_models_own_row_at_the_decision_position(gpt2_classifier):
    results = explain(gpt2_classifier, TEXTS, [get_method("attention"), get_method("rollout")], words=False)
    for text, explanation in zip(TEXTS, results):
        encoded = gpt2_classifier.tokenizer([text], return_tensors="pt")
        with torch.no_grad():
            attentions = gpt2_classifier.model(**encoded, output_attentions=True).attentions
        own = torch.stack(attentions)[:, 0].mean(dim=1)[:, -1].double().numpy()  # (layers, n): last row
        raw = explanation.attributions["attention"].layer_scores
        np.testing.assert_allclose(raw, own, atol=1e-6)
        assert (raw[:, :-1] > 0).all()  # not [0, ..., 0, 1]: the last token sees every earlier one
        rollout = explanation.attributions["rollout"].layer_scores
        np.testing.assert_allclose(rollout.sum(axis=1), 1.0, atol=1e-9)
        assert (rollout[:, :-1] > 0).all()
