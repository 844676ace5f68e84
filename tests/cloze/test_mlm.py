"""The ``mlm`` reference model: corpus reading (Gutenberg headers), its recipe, the shipped checkpoint."""

from __future__ import annotations

import json

import pytest
import torch

from xaudit.datasets.corpus import gutenberg_paragraphs, read_corpus, strip_gutenberg
from xaudit.errors import DataError
from xaudit.models.loading import load_model
from xaudit.models.registry import REFERENCE_MODELS, reference_dir
from xaudit.training.evaluation import masked_lm_metrics
from xaudit.training.mlm import mask_tokens, pack_blocks
from xaudit.training.recipes import train

from .synthetic import gutenberg_book

SHIPPED_LIMIT_BYTES = 20 * 1024 * 1024


def test_gutenberg_header_licence_and_footer_are_stripped():
    book = gutenberg_book("Faust", ["Habe nun, ach!\nPhilosophie,", "Juristerei und Medizin."])
    assert gutenberg_paragraphs(book) == ["Habe nun, ach! Philosophie,", "Juristerei und Medizin."]
    body = strip_gutenberg(book)
    assert "Project Gutenberg" not in body and "LICENCE" not in body and "anyone anywhere" not in body


def test_a_book_without_markers_is_refused():
    with pytest.raises(DataError, match="no Project Gutenberg START/END markers"):
        strip_gutenberg("just some text\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n", "x.txt")


def test_corpus_split_is_per_file_contiguous_tails(synthetic_data):
    splits = read_corpus(synthetic_data / "corpus")
    assert set(splits.train) == {"en", "es", "de", "fr"}
    assert len(splits.files) == 8  # LICENSE.txt is not a book of a known language
    leipzig_en = (synthetic_data / "corpus/leipzig/eng_news_2020_10K.txt").read_text("utf-8").splitlines()
    assert splits.test["en"][:3] == leipzig_en[-3:]  # last 2% of 150 lines
    assert splits.dev["en"][:2] == leipzig_en[-5:-3]  # the 1% before
    assert splits.train["en"][:145] == leipzig_en[:145]
    assert not any("Gutenberg" in s for part in (splits.train, splits.dev, splits.test) for v in part.values() for s in v)


def test_masking_touches_only_non_special_tokens():
    ids = torch.tensor([[2, 10, 11, 12, 13, 14, 15, 16, 17, 3, 0, 0]] * 50)
    inputs, labels = mask_tokens(ids, torch.Generator().manual_seed(0), mask_id=4, n_special=5, vocab_size=30)
    chosen = labels != -100
    assert chosen.any() and not chosen[:, [0, 9, 10, 11]].any()
    assert (labels[chosen] == ids[chosen]).all() and (inputs[~chosen] == ids[~chosen]).all()
    assert 0.6 < (inputs[chosen] == 4).float().mean() < 0.95  # ~80% become [MASK]
    evaluation, _ = mask_tokens(ids, torch.Generator().manual_seed(0), mask_id=4, n_special=5, vocab_size=30,
                                replace=False)
    assert (evaluation[chosen] == 4).all()


def test_tiny_recipe_card_and_reload(tiny_mlm_dir):
    card = json.loads((tiny_mlm_dir / "card.json").read_text())
    assert card["task"] == "cloze" and card["preset"] == "tiny"
    assert set(card["metrics"]["test_accuracy_by_language"]) == {"en", "es", "de", "fr"}
    assert all(n > 0 for n in card["metrics"]["test_n_by_language"].values())
    assert card["data"]["files"][0]["sha256"]
    adapter = load_model(str(tiny_mlm_dir))
    assert adapter.model.dtype == torch.float32


def test_the_tokenizer_keeps_accents_and_lowercases(tiny_mlm):
    pieces = tiny_mlm.tokenizer.tokenize("GRÜN Pequeño")
    assert "".join(p.removeprefix("##") for p in pieces) == "grünpequeño"


def test_training_mlm_needs_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("XAUDIT_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # no ../shared/data beside it
    with pytest.raises(DataError, match="pass `data_dir` or set XAUDIT_DATA_DIR"):
        train("mlm", tmp_path / "m", preset="tiny")
    with pytest.raises(DataError, match="corpus folder not found"):
        train("mlm", tmp_path / "m", preset="tiny", data_dir=tmp_path)
    assert not (tmp_path / "m").exists()


def test_the_shipped_checkpoint():
    assert REFERENCE_MODELS["mlm"].task == "cloze"
    folder = reference_dir("mlm")
    card = json.loads((folder / "card.json").read_text())
    assert sum(p.stat().st_size for p in folder.iterdir()) <= SHIPPED_LIMIT_BYTES
    assert card["preset"] == "full" and card["seed"] == 0
    assert {"config", "data", "training", "metrics", "device", "wall_time_s", "parameters"} <= set(card)
    by_language = card["metrics"]["test_accuracy_by_language"]
    assert set(by_language) == {"en", "es", "de", "fr"} and all(0 < v < 1 for v in by_language.values())
    adapter = load_model("mlm")
    assert adapter.model.dtype == torch.float32
    assert adapter.tokenizer.mask_token == "[MASK]"


@pytest.mark.data
def test_the_shipped_cards_held_out_accuracy_is_reproduced(data_dir):
    card = json.loads((reference_dir("mlm") / "card.json").read_text())
    adapter = load_model("mlm")
    block = card["hyperparameters"]["block"]
    test = {lang: pack_blocks(adapter.tokenizer, segments, block)
            for lang, segments in read_corpus(data_dir / "corpus").test.items()}
    measured = masked_lm_metrics(adapter, test)
    assert measured["test_n_by_language"] == card["metrics"]["test_n_by_language"]
    assert measured["test_accuracy"] == pytest.approx(card["metrics"]["test_accuracy"], abs=2 / measured["test_n"])

