"""An architecture zoo: tiny random-weight Hugging Face models of many families, built from configs at test time
(no downloads) with fast tokenizers trained by ``tokenizers`` (WordPiece, byte-level BPE, SentencePiece-style BPE),
saved with ``save_pretrained`` and loaded through ``xaudit.models.load_model`` as a user's folder would be.

``build(name, root)`` writes one model's folder; ``ZOO`` lists every name with the kind of inputs it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CORPUS = ["the keys to the old cabinet are on the table", "my dog sleeps near the warm house",
          "the author that the senators admire writes books", "our city has many old churches",
          "the doctor said that he would come", "the nurse said that she would stay"] * 20
TEXTS = ["the keys to the old cabinet", "my dog", "the author that the senators admire near our city"]
WIDTH, LAYERS, HEADS, POSITIONS, VOCAB = 16, 2, 2, 64, 200
IMAGE, PATCH = 8, 4


def _fast(tokenizer_object, **special):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=tokenizer_object, model_max_length=POSITIONS - 2, **special)


def wordpiece():
    """BERT-style WordPiece with [CLS] text [SEP]."""
    from tokenizers import BertWordPieceTokenizer

    t = BertWordPieceTokenizer(lowercase=True)
    t.train_from_iterator(CORPUS, vocab_size=VOCAB, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    return _fast(t._tokenizer, unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]",
                 mask_token="[MASK]")


def byte_level(roberta: bool):
    """Byte-level BPE: RoBERTa's (<s> text </s>, with <mask>) or GPT-2's (no special tokens added)."""
    from tokenizers import ByteLevelBPETokenizer
    from tokenizers.processors import RobertaProcessing

    t = ByteLevelBPETokenizer()
    if not roberta:
        t.train_from_iterator(CORPUS, vocab_size=VOCAB + 100, special_tokens=["<|endoftext|>"])
        return _fast(t._tokenizer, eos_token="<|endoftext|>", bos_token="<|endoftext|>")
    t.train_from_iterator(CORPUS, vocab_size=VOCAB + 100, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    t._tokenizer.post_processor = RobertaProcessing(("</s>", 2), ("<s>", 0))
    return _fast(t._tokenizer, bos_token="<s>", eos_token="</s>", cls_token="<s>", sep_token="</s>",
                 pad_token="<pad>", unk_token="<unk>", mask_token="<mask>")


def sentencepiece(cls_sep: tuple[str, str] | None, bos_only: bool = False):
    """SentencePiece-style BPE (▁ marks a word start): ``<s> text </s>`` (XLM-R), ``[CLS] text [SEP]`` (ALBERT),
    or ``<s> text`` (Llama)."""
    from tokenizers import SentencePieceBPETokenizer
    from tokenizers.processors import TemplateProcessing

    specials = ["<pad>", "<unk>", "<s>", "</s>", "<mask>", "[CLS]", "[SEP]", "[MASK]"]
    t = SentencePieceBPETokenizer()
    t.train_from_iterator(CORPUS, vocab_size=VOCAB, special_tokens=specials)
    ids = {s: t.token_to_id(s) for s in specials}
    if bos_only:
        t._tokenizer.post_processor = TemplateProcessing(single="<s> $A", special_tokens=[("<s>", ids["<s>"])])
        return _fast(t._tokenizer, bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    first, last = cls_sep
    t._tokenizer.post_processor = TemplateProcessing(single=f"{first} $A {last}",
                                                     special_tokens=[(first, ids[first]), (last, ids[last])])
    mask = "[MASK]" if first == "[CLS]" else "<mask>"
    return _fast(t._tokenizer, cls_token=first, sep_token=last, bos_token=first, eos_token=last, pad_token="<pad>",
                 unk_token="<unk>", mask_token=mask)


@dataclass(frozen=True)
class ZooModel:
    """One zoo entry: a transformers config class and model class by name, its config, its tokenizer."""

    config: str
    model: str
    settings: dict
    tokenizer: Callable[[], object] | None = None
    modality: str = "text"

    @property
    def masked(self) -> bool:
        return self.model.endswith("ForMaskedLM")

    @property
    def causal(self) -> bool:
        return self.model.endswith("ForCausalLM")


_BERTLIKE = dict(hidden_size=WIDTH, num_hidden_layers=LAYERS, num_attention_heads=HEADS, intermediate_size=2 * WIDTH,
                 max_position_embeddings=POSITIONS)
_LABELS = dict(num_labels=2, id2label={0: "no", 1: "yes"}, label2id={"no": 0, "yes": 1})
_ROBERTA = dict(_BERTLIKE, max_position_embeddings=POSITIONS + 2, pad_token_id=1, bos_token_id=0, eos_token_id=2)
_IMAGE = dict(hidden_size=WIDTH, num_hidden_layers=LAYERS, num_attention_heads=HEADS, intermediate_size=2 * WIDTH,
              image_size=IMAGE, patch_size=PATCH, num_channels=1)
_DECODER = dict(vocab_size=VOCAB + 100, bos_token_id=0, eos_token_id=0, n_positions=POSITIONS, n_embd=WIDTH, n_layer=LAYERS, n_head=HEADS)
_LLAMA = dict(hidden_size=WIDTH, num_hidden_layers=LAYERS, num_attention_heads=HEADS, num_key_value_heads=1,
              intermediate_size=2 * WIDTH, max_position_embeddings=POSITIONS, head_dim=WIDTH // HEADS)


def _families() -> dict[str, ZooModel]:
    """Every zoo model by name: the classifier of each family, its masked-LM head where it has one."""
    xlmr = lambda: sentencepiece(("<s>", "</s>"))  # noqa: E731
    albert = lambda: sentencepiece(("[CLS]", "[SEP]"))  # noqa: E731
    roberta = lambda: byte_level(True)  # noqa: E731
    gpt2 = lambda: byte_level(False)  # noqa: E731
    text = {
        "bert": ("BertConfig", "Bert", _BERTLIKE, wordpiece),
        "distilbert": ("DistilBertConfig", "DistilBert", dict(dim=WIDTH, n_layers=LAYERS, n_heads=HEADS,
                                                              hidden_dim=2 * WIDTH, max_position_embeddings=POSITIONS),
                       wordpiece),
        "roberta": ("RobertaConfig", "Roberta", _ROBERTA, roberta),
        "xlm-roberta": ("XLMRobertaConfig", "XLMRoberta", dict(_ROBERTA, pad_token_id=0, bos_token_id=2,
                                                               eos_token_id=3), xlmr),
        "albert": ("AlbertConfig", "Albert", dict(_BERTLIKE, embedding_size=8, pad_token_id=0), albert),
        "electra": ("ElectraConfig", "Electra", dict(_BERTLIKE, embedding_size=WIDTH), wordpiece),
        "deberta-v2": ("DebertaV2Config", "DebertaV2", dict(_BERTLIKE, relative_attention=True,
                                                            pos_att_type=["p2c", "c2p"], position_buckets=8,
                                                            max_relative_positions=POSITIONS), wordpiece),
        "modernbert": ("ModernBertConfig", "ModernBert", dict(_BERTLIKE, global_attn_every_n_layers=1,
                                                              classifier_pooling="cls", pad_token_id=0, bos_token_id=2, eos_token_id=3,
                                                              cls_token_id=2, sep_token_id=3), wordpiece),
    }
    zoo: dict[str, ZooModel] = {}
    for name, (config, prefix, settings, tokenizer) in text.items():
        zoo[name] = ZooModel(config, f"{prefix}ForSequenceClassification", dict(settings, **_LABELS), tokenizer)
        zoo[f"{name}-mlm"] = ZooModel(config, f"{prefix}ForMaskedLM", dict(settings), tokenizer)
    zoo["gpt2"] = ZooModel("GPT2Config", "GPT2ForSequenceClassification", dict(_DECODER, **_LABELS), gpt2)
    zoo["gpt2-lm"] = ZooModel("GPT2Config", "GPT2LMHeadModel", dict(_DECODER), gpt2)
    zoo["llama-lm"] = ZooModel("LlamaConfig", "LlamaForCausalLM", dict(_LLAMA, vocab_size=VOCAB, bos_token_id=2,
                                                                       eos_token_id=3, pad_token_id=0),
                               lambda: sentencepiece(None, bos_only=True))
    zoo["vit"] = ZooModel("ViTConfig", "ViTForImageClassification", dict(_IMAGE, **_LABELS), modality="image")
    zoo["deit"] = ZooModel("DeiTConfig", "DeiTForImageClassification", dict(_IMAGE, **_LABELS), modality="image")
    return zoo


ZOO = _families()
"""Every zoo model by name."""

REFUSING = {
    "swin": ZooModel("SwinConfig", "SwinForImageClassification",
                     dict(image_size=IMAGE, patch_size=2, num_channels=1, embed_dim=8, depths=[1, 1], num_heads=[2, 2],
                          window_size=2, **_LABELS), modality="image"),
    "bart": ZooModel("BartConfig", "BartForSequenceClassification",
                     dict(vocab_size=VOCAB + 100, d_model=WIDTH, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=HEADS, decoder_attention_heads=HEADS, encoder_ffn_dim=2 * WIDTH,
                          decoder_ffn_dim=2 * WIDTH, max_position_embeddings=POSITIONS, pad_token_id=1,
                          bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, **_LABELS),
                     lambda: byte_level(True)),
}
"""Models whose attention is not one token-to-token matrix (windows, encoder-decoder): attention methods refuse."""


def build(name: str, root: Path, entry: ZooModel | None = None) -> Path:
    """Write zoo model ``name`` (random weights, seeded) with its tokenizer to ``root / name``."""
    import torch
    import transformers

    entry = entry or ZOO.get(name) or REFUSING[name]
    folder = root / name
    tokenizer = entry.tokenizer() if entry.tokenizer else None
    settings = dict(entry.settings)
    if tokenizer is not None and "vocab_size" not in settings:
        settings["vocab_size"] = len(tokenizer)
    torch.manual_seed(0)
    config = getattr(transformers, entry.config)(**settings)
    model = getattr(transformers, entry.model)(config)
    model.save_pretrained(folder)
    if tokenizer is not None:
        tokenizer.save_pretrained(folder)
    return folder


def inputs_for(name: str, adapter) -> list:
    """Three inputs the model reads: texts (with its mask token for a masked LM) or 8x8 images."""
    import numpy as np

    if adapter.modality == "image":
        rng = np.random.default_rng(0)
        return [rng.random((IMAGE, IMAGE, 1)) for _ in range(3)]
    if name.endswith("-mlm"):
        mask = adapter.tokenizer.mask_token
        return [f"the keys to the {mask} cabinet", f"{mask} dog", f"the author that the senators admire near our {mask}"]
    return list(TEXTS)
