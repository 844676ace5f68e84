"""Words from byte-level BPE tokenizers (GPT-2, RoBERTa) carry no space marker, and a lone space
token before a mask joins the mask's word instead of making an empty word."""

from __future__ import annotations

from xaudit.models.text import encode_with_tokenizer

CORPUS = ["the keys to the old cabinet are on the table", "my dog sleeps near the warm house"] * 20


def byte_level_tokenizer():
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(CORPUS, vocab_size=300, special_tokens=["<|endoftext|>", "<mask>", "<pad>"])
    return PreTrainedTokenizerFast(tokenizer_object=bpe._tokenizer, eos_token="<|endoftext|>", mask_token="<mask>",
                                   pad_token="<pad>")


def test_words_have_no_space_marker_and_no_empty_word():
    batch = encode_with_tokenizer(byte_level_tokenizer(), ["the keys to the cabinet", "the keys <mask> the table"], 64)
    assert batch.word_texts == [["the", "keys", "to", "the", "cabinet"], ["the", "keys", "<mask>", "the", "table"]]
    units, words = batch.units[1], batch.words[1]
    assert "Ġ" in units and units[units.index("Ġ") + 1] == "<mask>"
    assert words[units.index("Ġ")] == words[units.index("<mask>")] == 2  # the space joins the mask's word
