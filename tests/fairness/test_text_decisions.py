"""A text classifier's decisions on a table (`--text-col`), audited by group and by identity-term swaps.

The classifier is a tiny BERT trained here (seconds) on sentences whose label follows the
pronoun in 85% of rows, so it learns to use gender and the audit has something to find.
Every number is checked against the network run by hand on the same (or hand-swapped) texts.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from xaudit.cli import app
from xaudit.errors import ParameterError
from xaudit.fairness import AuditSettings
from xaudit.fairness.counterfactual import run_counterfactual
from xaudit.fairness.identity_terms import GENDER
from xaudit.fairness.model_decisions import run_model_fairness
from xaudit.models import load_model

JOBS = ["doctor", "nurse", "pilot", "teacher", "clerk", "chef"]
SKILLS = ["skilled", "careful", "new", "quiet"]
PRONOUNS = {"he": "male", "she": "female"}
HAND_SWAP = {"he": "she", "she": "he", "his": "her", "her": "his", "man": "woman", "woman": "man"}


def sentences(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        pronoun = rng.choice(list(PRONOUNS))
        owner = "his" if pronoun == "he" else "her"
        label = int(pronoun == "he") if rng.random() < 0.85 else int(pronoun != "he")
        text = f"the {rng.choice(JOBS)} said that {pronoun} is {rng.choice(SKILLS)} at {owner} work"
        if i % 10 == 0:  # no identity term: the swap leaves it as it is
            text, pronoun = f"the {rng.choice(JOBS)} is {rng.choice(SKILLS)} at work", "he"
        rows.append({"text": text, "hired": label, "gender": PRONOUNS[pronoun]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def biased_classifier(tmp_path_factory) -> str:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("text-classifier")
    train = sentences(400, seed=0)
    words = sorted({w for t in train.text for w in t.split()} | set(HAND_SWAP))
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                        cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=32, num_labels=2,
                        id2label={0: "reject", 1: "hire"}, label2id={"reject": 0, "hire": 1})
    model = BertForSequenceClassification(config)
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    encoded = tokenizer(list(train.text), padding=True, return_tensors="pt")
    labels = torch.tensor(train.hired.to_numpy())
    model.train()
    for epoch in range(4):
        for start in range(0, len(train), 32):
            part = slice(start, start + 32)
            loss = model(input_ids=encoded["input_ids"][part], attention_mask=encoded["attention_mask"][part],
                         labels=labels[part]).loss
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def scores_by_hand(folder: str, texts: list[str]) -> np.ndarray:
    adapter = load_model(folder)
    encoded = adapter.tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = adapter.model(**encoded).logits.double()
    return torch.softmax(logits, dim=-1)[:, 1].numpy()


@pytest.fixture(scope="module")
def applicants(tmp_path_factory, biased_classifier):
    frame = sentences(300, seed=1)
    path = tmp_path_factory.mktemp("texts") / "applicants.csv"
    frame.to_csv(path, index=False)
    return frame, path


def test_the_classifier_learned_the_pronoun(biased_classifier, applicants):
    frame, _ = applicants
    decided = scores_by_hand(biased_classifier, list(frame.text)) >= 0.5
    with_term = frame.text.str.contains(" said ")
    follows_pronoun = decided[with_term] == (frame.gender[with_term] == "male")
    assert follows_pronoun.mean() > 0.95
    assert (decided == frame.hired).mean() > 0.75


def test_predict_scores_every_row(biased_classifier, applicants):
    frame, path = applicants
    result = CliRunner().invoke(app, ["predict", "--model", biased_classifier, "--data", str(path), "--text-col",
                                      "text", "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["favourable_label"] == "hire" and len(payload["decisions"]) == len(frame)
    np.testing.assert_allclose([d["score"] for d in payload["decisions"]],
                               scores_by_hand(biased_classifier, list(frame.text)), atol=1e-6)
    reject = CliRunner().invoke(app, ["predict", "--model", biased_classifier, "--data", str(path), "--text-col",
                                      "text", "--positive", "reject", "--format", "json"])
    assert json.loads(reject.stdout)["favourable_label"] == "reject"
    for extra, message in ((["--text-col", "text", "--text", "x"], "give no other input"),
                           (["--positive", "hire"], "--positive applies with --text-col")):
        refused = CliRunner().invoke(app, ["predict", "--model", biased_classifier, "--data", str(path), *extra])
        assert refused.exit_code == 2 and message in refused.output, refused.output


def test_group_audit_equals_rates_by_hand(biased_classifier, applicants):
    frame, path = applicants
    result, _ = run_model_fairness(model=biased_classifier, data=path, text_col="text", label_col="hired",
                                   group_cols=["gender"], settings=AuditSettings(n_boot=0))
    decided = scores_by_hand(biased_classifier, list(frame.text)) >= 0.5
    for row in result.groups:
        members = (frame.gender == row.group).to_numpy()
        assert row.n == members.sum()
        assert row.rates["selection_rate"] == pytest.approx(decided[members].mean(), abs=1e-12)
        assert row.rates["accuracy"] == pytest.approx((decided[members] == frame.hired[members]).mean(), abs=1e-12)


def test_identity_swaps_equal_a_recomputation_on_hand_swapped_texts(biased_classifier, applicants):
    frame, path = applicants
    result = run_counterfactual(model=biased_classifier, data=path, counterfactual="gender", text_col="text",
                                label_col="hired", group_cols=["gender"], settings=AuditSettings(n_boot=50))
    swapped = [" ".join(HAND_SWAP.get(w, w) for w in t.split()) for t in frame.text]
    assert [GENDER.swap(t) for t in frame.text] == swapped
    before = scores_by_hand(biased_classifier, list(frame.text)) >= 0.5
    after = scores_by_hand(biased_classifier, swapped) >= 0.5
    assert result.attribute == "text" and result.terms["name"] == "gender" and "Zhao" in result.terms["source"]
    for row in result.groups:
        members = (frame.gender == row.group).to_numpy()
        assert row.counts["to_unfavourable"] == int((before & ~after & members).sum())
        assert row.counts["to_favourable"] == int((~before & after & members).sum())
    assert result.overall.flip_rate > 0.5  # the model reads the pronoun
    untouched = ~frame.text.str.contains(" said ").to_numpy()
    assert (before[untouched] == after[untouched]).all()


def test_text_options_are_checked(biased_classifier, applicants, tiny_tabular_dir):
    _, path = applicants
    base = ["fairness", "--model", biased_classifier, "--data", str(path), "--text-col", "text", "--label-col",
            "hired", "--group-cols", "gender"]
    for extra, message in ((["--counterfactual", "race"], "unknown counterfactual term list 'race'"),
                           (["--explain", "ig"], "applies to tabular models")):
        refused = CliRunner().invoke(app, [*base, *extra])
        assert refused.exit_code == 2 and message in refused.output, refused.output
    table = CliRunner().invoke(app, [*base, "--counterfactual", "gender", "--n-boot", "20"])
    assert table.exit_code == 0 and "female" in table.stdout, table.output
    with pytest.raises(ParameterError, match="applies to text classifiers"):
        run_model_fairness(model=str(tiny_tabular_dir), data=path, text_col="text", label_col="hired")
