"""Whole-word candidates (## and ▁ vocabularies), once-per-sentence prediction, the predictions file."""

from __future__ import annotations

import json

import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from xaudit.cloze.mozart import Sentence
from xaudit.cloze.predict import load_predictions, predict_top_k, write_predictions, whole_word_candidates
from xaudit.errors import DataError, ModelError

WORDPIECE_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused1]", "the", "cat", "##s", "sat", ",", "1990",
                   "##ing", "dog", "..."]
UNIGRAM_VOCAB = ["<pad>", "<unk>", "<s>", "</s>", "<mask>", "▁the", "▁cat", "s", "▁", "▁,", "▁sat", "ing", "▁dog"]


def wordpiece_tokenizer() -> PreTrainedTokenizerFast:
    backend = Tokenizer(models.WordPiece({t: i for i, t in enumerate(WORDPIECE_VOCAB)}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")


def sentencepiece_tokenizer() -> PreTrainedTokenizerFast:
    backend = Tokenizer(models.Unigram([(t, -float(i)) for i, t in enumerate(UNIGRAM_VOCAB)], unk_id=1))
    backend.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace()])
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", pad_token="<pad>", bos_token="<s>",
                                   eos_token="</s>", mask_token="<mask>")


def test_wordpiece_candidates_skip_continuations_specials_and_punctuation():
    candidates = whole_word_candidates(wordpiece_tokenizer())
    assert set(candidates.words) == {"the", "cat", "sat", "1990", "dog"}
    assert [WORDPIECE_VOCAB[i] for i in candidates.ids.tolist()] == list(candidates.words)


def test_sentencepiece_candidates_keep_word_starts_without_the_marker():
    candidates = whole_word_candidates(sentencepiece_tokenizer())
    assert set(candidates.words) == {"the", "cat", "sat", "dog"}
    assert [UNIGRAM_VOCAB[i] for i in candidates.ids.tolist()] == ["▁" + w for w in candidates.words]


def test_a_vocabulary_without_word_markers_is_refused():
    backend = Tokenizer(models.BPE({"a": 0, "b": 1}, [], unk_token="a"))
    with pytest.raises(ModelError, match="cannot tell whole words in a BPE vocabulary"):
        whole_word_candidates(PreTrainedTokenizerFast(tokenizer_object=backend, mask_token="b"))


class ScriptedAdapter:
    """An MLM adapter stand-in: records what it encodes, scores tokens by a fixed preference."""

    name = "scripted"
    device = torch.device("cpu")

    def __init__(self, tokenizer, preference: list[str]):
        self.tokenizer = tokenizer
        vocab = tokenizer.get_vocab()
        self.labels = sorted(vocab, key=vocab.get)
        self.logits = torch.zeros(len(vocab))
        for rank, token in enumerate(preference):
            self.logits[vocab[token]] = 100.0 - rank
        self.encoded: list[list[str]] = []

    def encode(self, texts):
        self.encoded.append(list(texts))
        return texts

    def forward(self, batch):
        return self.logits.repeat(len(batch), 1)


def cloze_items(n_unique: int, copies: int) -> list[Sentence]:
    unique = [Sentence("en", str(i), f"sentence {i} with a [MASK] .", "x") for i in range(n_unique)]
    return [s for s in unique for _ in range(copies)]  # one per annotation, as in the data


def test_each_unique_sentence_is_run_once_in_batches():
    adapter = ScriptedAdapter(wordpiece_tokenizer(), ["the"])
    predictions = predict_top_k(adapter, cloze_items(5, copies=6), k=1, batch_size=2)
    assert [len(batch) for batch in adapter.encoded] == [2, 2, 1]
    assert sum(len(batch) for batch in adapter.encoded) == 5
    assert sorted(predictions) == [("en", str(i)) for i in range(5)]


def test_ranking_skips_non_words_and_replaces_the_placeholder():
    adapter = ScriptedAdapter(sentencepiece_tokenizer(), ["<mask>", "s", "▁cat", "▁,", "▁", "▁the", "▁dog"])
    steps = []
    predictions = predict_top_k(adapter, cloze_items(1, copies=1), k=3, progress=lambda *a: steps.append(a))
    assert predictions == {("en", "0"): ("cat", "the", "dog")}
    assert adapter.encoded == [["sentence 0 with a <mask> ."]]
    assert steps == [("predicting cloze sentences", 1, 1)]


def test_non_mlm_and_oversized_k_are_model_errors(tiny_adapters):
    with pytest.raises(ModelError, match="not a masked language model"):
        predict_top_k(tiny_adapters["lstm"], cloze_items(1, 1), k=1)
    with pytest.raises(ModelError, match="k=9 exceeds the 5 whole-word items"):
        predict_top_k(ScriptedAdapter(wordpiece_tokenizer(), []), cloze_items(1, 1), k=9)


def test_tiny_mlm_predicts_whole_words(tiny_mlm):
    items = [Sentence("en", "1", "the cat [MASK] the dog .", "sees"), Sentence("de", "1", "die [MASK] läuft .", "katze")]
    predictions = predict_top_k(tiny_mlm, items, k=4)
    words = set(whole_word_candidates(tiny_mlm.tokenizer).words)
    assert set(predictions) == {("en", "1"), ("de", "1")}
    for top in predictions.values():
        assert len(top) == 4 and set(top) <= words and not any(w.startswith("##") for w in top)


def test_predictions_file_round_trip(tmp_path):
    predictions = {("en", "192"): ("exists", "works"), ("de", "7"): ("Weise", "größe")}
    path = tmp_path / "p.jsonl"
    write_predictions(path, predictions, model="m")
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first == {"language": "en", "s_id": "192", "top_k": ["exists", "works"], "model": "m"}
    assert load_predictions(path) == predictions


def test_extra_fields_and_integer_ids_are_accepted(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"language": "en", "s_id": 5, "top_k": ["a"], "scores": [0.3]}\n\n', encoding="utf-8")
    assert load_predictions(path) == {("en", "5"): ("a",)}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"p\.jsonl:2: not valid JSON"),
        ('["en", "1"]', ":2: expected a JSON object"),
        ('{"s_id": "1", "top_k": []}', ":2: 'language' must be a non-empty string"),
        ('{"language": "en", "top_k": []}', ":2: 's_id' must be a string or an integer"),
        ('{"language": "en", "s_id": "1", "top_k": "a b"}', ":2: 'top_k' must be a list of words"),
        ('{"language": "en", "s_id": "1", "top_k": [1]}', ":2: 'top_k' must be a list of words"),
        ('{"language": "en", "s_id": "0", "top_k": ["b"]}', ":2: second prediction for language 'en', s_id '0'"),
    ],
)
def test_malformed_predictions_name_the_line(tmp_path, line, message):
    path = tmp_path / "p.jsonl"
    path.write_text('{"language": "en", "s_id": "0", "top_k": ["a"]}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_predictions(path)


def test_empty_or_missing_predictions_file(tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match="holds no predictions"):
        load_predictions(tmp_path / "empty.jsonl")
    with pytest.raises(DataError, match="cannot read predictions file"):
        load_predictions(tmp_path / "absent.jsonl")
