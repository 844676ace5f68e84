"""Held-out cloze examples for a masked LM, and ``xaudit evaluate`` on one."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from xaudit.cli import app
from xaudit.datasets.masked_corpus import MASK, masked_test_examples
from xaudit.datasets.corpus import read_corpus


def test_one_vocabulary_word_masked_per_test_segment(synthetic_data):
    vocabulary = ["[PAD]", "[MASK]", "the", "katze", "chat", "gato", "sees"]
    texts, labels, files = masked_test_examples(synthetic_data / "corpus", vocabulary, 4, seed=0)
    assert (texts, labels, files) == masked_test_examples(synthetic_data / "corpus", vocabulary, 4, seed=0)
    assert {f["file"] for f in files} >= {"leipzig/eng_news_2020_10K.txt", "gutenberg/en_book.txt"}
    test_segments = [s for part in read_corpus(synthetic_data / "corpus").test.values() for s in part]
    assert len(texts) == 4
    for text, label in zip(texts, labels):
        words = text.split()
        assert words.count(MASK) == 1 and vocabulary[label] in {"the", "katze", "chat", "gato", "sees"}
        position = words.index(MASK)
        original = " ".join(words[:position] + [vocabulary[label]] + words[position + 1:])
        assert any(s.lower().startswith(original.lower()) for s in test_segments)


def test_evaluate_runs_on_a_masked_lm_with_its_held_out_corpus(tiny_mlm_dir, synthetic_data, monkeypatch):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(synthetic_data))
    result = CliRunner().invoke(app, ["evaluate", "--model", str(tiny_mlm_dir), "--methods", "saliency,flow",
                                      "--against", "blankout", "--n", "3", "--stability-samples", "1",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert "3 sentences with one word masked" in payload["settings"]["data"]
    assert {r["method"] for r in payload["results"]} >= {"saliency", "flow"}


def test_a_corpus_that_differs_from_the_cards_is_flagged(tiny_mlm_dir, synthetic_data, tmp_path):
    import shutil

    from xaudit.datasets.reference import held_out_examples
    from xaudit.models.cards import read_card

    card, vocabulary = read_card(tiny_mlm_dir), ["the", "katze", "chat", "gato", "sees"]
    assert "WARNING" not in held_out_examples(card, 2, vocabulary, data_dir=synthetic_data).description
    changed = tmp_path / "data"
    shutil.copytree(synthetic_data, changed)
    with open(changed / "corpus" / "gutenberg" / "en_book.txt", "a", encoding="utf-8") as book:
        book.write("\nan extra line\n")
    description = held_out_examples(card, 2, vocabulary, data_dir=changed).description
    assert "WARNING: 1 corpus file differs" in description and "gutenberg/en_book.txt" in description


def test_evaluate_says_where_the_corpus_should_be(tiny_mlm_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["evaluate", "--model", str(tiny_mlm_dir), "--n", "3"])
    assert result.exit_code == 3 and "set XAUDIT_DATA_DIR, or give --input" in result.output
