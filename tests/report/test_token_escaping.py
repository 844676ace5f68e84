"""Token heatmaps escape what the tokenizer keeps whole: a WordPiece and a byte-level BPE tokenizer,
trained here on a corpus full of markup, carry ``<script>…</script>`` and quotes inside single tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

PAYLOAD = "<script>alert(1)</script>"
QUOTED = "\"'><b>"
CORPUS = [f"the {PAYLOAD} keys {QUOTED} near the house", f"{PAYLOAD} {QUOTED} my dog", "the old dog"] * 40
TEXTS = [f"the {PAYLOAD} keys", f"my dog {QUOTED} near the house"]


def wordpiece(folder: Path) -> Path:
    """A BERT classifier (random weights) whose WordPiece vocabulary splits on whitespace only."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.train_from_iterator(CORPUS, trainers.WordPieceTrainer(vocab_size=300, special_tokens=specials))
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[(t, tokenizer.token_to_id(t)) for t in ("[CLS]", "[SEP]")])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=64)
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=64, num_labels=2)
    return _save(BertForSequenceClassification(config), fast, folder)


def byte_level_bpe(folder: Path) -> Path:
    """A RoBERTa classifier (random weights) with a byte-level BPE that merges across punctuation."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaForSequenceClassification

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.train_from_iterator(CORPUS, trainers.BpeTrainer(
        vocab_size=400, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=False)
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                   pad_token="<pad>", cls_token="<s>", sep_token="</s>", mask_token="<mask>",
                                   model_max_length=64)
    config = RobertaConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=16, num_hidden_layers=1,
                           num_attention_heads=2, intermediate_size=32, max_position_embeddings=66, num_labels=2,
                           pad_token_id=1, bos_token_id=0, eos_token_id=2)
    return _save(RobertaForSequenceClassification(config), fast, folder)


def _save(model, tokenizer, folder: Path) -> Path:
    import torch

    torch.manual_seed(0)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.mark.parametrize("build", [wordpiece, byte_level_bpe])
def test_payload_tokens_are_escaped_in_the_report(build, tmp_path):
    from xaudit.models import load_model
    from xaudit.report.build import build_report
    from xaudit.report.config import ReportConfig
    from xaudit.report.render import render_html

    folder = build(tmp_path / "model")
    adapter = load_model(str(folder))
    units = [u for row in adapter.encode(TEXTS).units for u in row]
    assert any(PAYLOAD in u for u in units) and any(QUOTED in u for u in units)  # kept whole, not split up
    config = ReportConfig(models=[str(folder)], methods=["saliency", "attention"], texts=TEXTS, n_examples=2,
                          n_evaluate=0, n_boot=0, data_dir=tmp_path / "no-data", cloze=False)
    report = build_report(config)
    html = render_html(report)
    assert PAYLOAD not in html and QUOTED not in html and "<b>" not in html
    assert 'class="tok' in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
