"""The Attribution result: JSON round trip, frame view, word aggregation, HTML escaping."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers

from xaudit.attribution import Attribution, get_method
from xaudit.errors import DataError


def test_json_round_trip_and_frame(tiny_adapters):
    adapter = tiny_adapters["bert"]
    (result,) = get_method("flow").attribute(adapter, adapter.encode(["the keys to the cabinet"]))
    data = json.loads(result.to_json())
    assert (data["schema_version"], data["kind"]) == (1, "attribution")
    back = Attribution.from_json(result.to_json())
    assert back.to_dict() == result.to_dict()
    np.testing.assert_array_equal(back.scores, result.scores)
    np.testing.assert_array_equal(back.layer_scores, result.layer_scores)
    assert back.units == result.units and back.layer == result.layer
    frame = result.to_frame()
    assert list(frame["unit"]) == result.units and "L1" in frame.columns
    with pytest.raises(DataError, match="schema_version"):
        Attribution.from_dict({**data, "schema_version": 99})


def test_html_view_escapes_units():
    a = Attribution(units=["<script>alert(1)</script>", "ok"], scores=np.array([0.5, -0.1]), method="saliency",
                    model="<b>m</b>", target=0, target_label="x", prediction=0, prediction_label="x",
                    probability=0.9, target_probability=0.9)
    html = a._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>m</b>" not in html


def test_subwords_are_summed_into_words(tmp_path):
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    from xaudit.models.loading import load_model

    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "key", "##s", "cab",
                                         "##inet"])}
    backend = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    from tokenizers import processors

    backend.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    config = BertConfig(vocab_size=len(vocab), hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=16, max_position_embeddings=16, num_labels=2)
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    adapter = load_model(str(tmp_path))
    batch = adapter.encode(["the keys cabinet"])
    assert batch.units[0] == ["[CLS]", "the", "key", "##s", "cab", "##inet", "[SEP]"]
    (tokens,) = get_method("saliency").attribute(adapter, batch)
    words = tokens.to_words()
    assert words.units == ["the", "keys", "cabinet"]
    np.testing.assert_allclose(words.scores, [tokens.scores[1], tokens.scores[2:4].sum(), tokens.scores[4:6].sum()])
