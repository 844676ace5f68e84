"""Training recipes of the reference models (``xaudit train NAME``).

Every recipe is seeded, runs on CPU or CUDA, saves safetensors weights, reloads them
through the public loader, measures held-out metrics with the reloaded adapter, and writes
a model card (config, data recipe, seed, metrics, device, wall time). Each model's record in
``models.registry.REFERENCE_MODELS`` names its recipe here and its presets (``full``: the
shipped models, ``tiny``: seconds, for tests); recipes that read the corpus take real text
from the shared data folder (``data_dir``, ``$XAUDIT_DATA_DIR`` or ../shared/data).
"""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch

from .._version import __version__
from ..datasets import agreement, corpus, digits
from ..errors import DataError, ParameterError
from ..models.architectures import ConvClassifier, RecurrentClassifier
from ..models.cards import write_card
from ..models.loading import load_folder
from ..models.text import SPECIAL_TOKENS, WordVocab
from ..paths import DATA_DIR_ENV, default_data_dir
from ..progress import ProgressFn, silent
from .evaluation import agreement_metrics, digits_metrics, masked_lm_metrics
from .loop import Inputs, LoopSettings, TensorData, seed_everything, train_classifier
from .mlm import MlmSettings, pack_blocks, train_masked_lm, train_wordpiece

AGREEMENT_DATA_SEED = 2020
DIGITS_SPLIT_SEED = 0
MAX_TOKENS = 64

def _agreement_data(p: dict[str, Any]) -> tuple[agreement.AgreementSplits, dict[str, Any]]:
    data = agreement.splits(p["n_train"], p["n_dev"], p["n_test"], AGREEMENT_DATA_SEED)
    recipe = {"generator": "xaudit.datasets.agreement.splits", "seed": AGREEMENT_DATA_SEED,
              "n_train": p["n_train"], "n_dev": p["n_dev"], "n_test": p["n_test"],
              "description": "subject-verb number agreement from a documented English grammar, 0-4 attractors",
              "training_augmentation": f"each word replaced by [UNK] with probability {UNK_RATE}"}
    return data, recipe


def _digits_data() -> tuple[digits.DigitSplits, dict[str, Any]]:
    data = digits.splits(DIGITS_SPLIT_SEED)
    recipe = {"generator": "xaudit.datasets.digits.splits", "seed": DIGITS_SPLIT_SEED,
              "source": "sklearn.datasets.load_digits (UCI optical recognition of handwritten digits)",
              "n_train": len(data.train.labels), "n_dev": len(data.dev.labels), "n_test": len(data.test.labels)}
    return data, recipe


def _agreement_vocab() -> list[str]:
    return list(SPECIAL_TOKENS) + agreement.vocabulary()


def _label_maps(labels) -> dict[str, Any]:
    return {"id2label": dict(enumerate(labels)), "label2id": {l: i for i, l in enumerate(labels)}}


UNK_RATE = 0.1


def _unk_dropout(unk_id: int, protected: tuple[int, ...]) -> Callable[[Inputs, torch.Generator], Inputs]:
    """Replace each word with [UNK] with probability ``UNK_RATE`` (special tokens kept).

    Linzen et al.'s data has [UNK] for rare words; our grammar's vocabulary is closed, so
    without this [UNK] would never be seen in training and blank-out, which replaces a word
    by [UNK], would probe the model out of distribution.
    """

    def augment(inputs: Inputs, generator: torch.Generator) -> Inputs:
        ids = inputs["input_ids"]
        replace = torch.rand(ids.shape, generator=generator) < UNK_RATE
        replace &= inputs["attention_mask"].bool()
        for token in protected:
            replace &= ids != token
        return {**inputs, "input_ids": torch.where(replace, torch.full_like(ids, unk_id), ids)}

    return augment


def _shift_augment(inputs: Inputs, generator: torch.Generator) -> Inputs:
    """Shift each image by up to one pixel in each direction (zero fill)."""
    images = inputs["images"]
    padded = torch.nn.functional.pad(images, (1, 1, 1, 1))
    h, w = images.shape[-2:]
    offsets = torch.randint(0, 3, (images.shape[0], 2), generator=generator)
    shifted = torch.stack([padded[i, :, dy : dy + h, dx : dx + w] for i, (dy, dx) in enumerate(offsets.tolist())])
    return {"images": shifted}


def _digit_tensors(split: digits.DigitSplit) -> TensorData:
    return TensorData({"images": torch.from_numpy(split.images).unsqueeze(1)}, torch.from_numpy(split.labels))


def _agreement_tokenizer(extra_words: Sequence[str] = (), **options: Any):
    """A word-level tokenizer over the grammar's vocabulary (and ``extra_words``): ``[CLS] w1 … wk [SEP]``."""
    from transformers import BertTokenizer

    vocab = list(dict.fromkeys([*_agreement_vocab(), *extra_words]))
    return BertTokenizer(vocab={t: i for i, t in enumerate(vocab)}, do_lower_case=True, model_max_length=MAX_TOKENS,
                         **options)


def _words(text: str) -> list[str]:
    """Words as the BERT pre-tokenizer splits them (lower case, accents stripped, punctuation apart)."""
    import re
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
    return re.findall(r"\w+|[^\w\s]", plain)


def _mixed_agreement_data(p: dict[str, Any], corpus_dir: Path) -> tuple[agreement.AgreementSplits, dict[str, Any],
                                                                         list[str]]:
    """The grammar's training sentences plus real ones (``datasets.linzen``); dev and test real sentences only.

    Also the real training words seen at least ``min_count`` times, for the vocabulary.
    """
    from collections import Counter

    from ..datasets import linzen
    from ..paths import cache_dir

    grammar, recipe = _agreement_data(p)
    real = linzen.splits(corpus_dir, cache_dir(), p["real_test"], p["real_dev"], AGREEMENT_DATA_SEED)

    def converted(examples):
        return [agreement.AgreementExample(x.text, x.label, x.attractors, x.intervening) for x in examples]

    counts = Counter(word for x in real.train for word in _words(x.text))
    words = sorted(word for word, n in counts.items() if n >= p["min_count"])
    data = agreement.AgreementSplits(grammar.train + converted(real.train), converted(real.dev), converted(real.test))
    recipe = {"generator": "xaudit.datasets.linzen.splits", "seed": AGREEMENT_DATA_SEED, "grammar": recipe,
              "real_n_train": len(real.train), "n_dev": len(real.dev), "n_test": len(real.test),
              "real_test": p["real_test"], "real_dev": p["real_dev"], "corpus_fingerprint": real.fingerprint,
              "vocabulary": f"the grammar's words and {len(words)} real training words seen >= {p['min_count']} times",
              "description": "the grammar's sentences plus real agreement sentences (Linzen et al. 2016) extracted "
                             "from the shared English corpus by link-grammar; dev and test: held-out real sentences",
              "training_augmentation": f"each word replaced by [UNK] with probability {UNK_RATE}"}
    return data, recipe, words


def _train_agreement_transformer(model, tokenizer, config, data: agreement.AgreementSplits, recipe: dict[str, Any],
                                 p: dict[str, Any], settings: LoopSettings, seed: int, device: torch.device, out: Path,
                                 progress: ProgressFn) -> dict[str, Any]:
    """Train a Hugging Face classifier on agreement data with [UNK] dropout; save it with its tokenizer."""

    def tensors(examples):
        enc = tokenizer([e.text for e in examples], padding=True, return_tensors="pt")
        return TensorData(dict(enc), torch.tensor([e.label for e in examples]))

    augment = _unk_dropout(tokenizer.unk_token_id, (tokenizer.cls_token_id, tokenizer.sep_token_id))
    summary = train_classifier(model, lambda m, x: m(**x).logits, tensors(data.train), tensors(data.dev),
                               settings, seed, device, augment=augment, progress=progress)
    model.to("cpu").save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    return {"architecture": "hf", "config": config.to_diff_dict(), "labels": list(agreement.LABELS),
            "data": recipe, "training": summary, "parameters": _count(model),
            "metrics_fn": lambda adapter: agreement_metrics(adapter, data.test)}


def train_bert(p: dict[str, Any], seed: int, device: torch.device, out: Path, progress: ProgressFn) -> dict[str, Any]:
    from transformers import BertConfig, BertForSequenceClassification

    tokenizer = _agreement_tokenizer()
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=p["hidden"], num_hidden_layers=p["layers"],
                        num_attention_heads=p["heads"], intermediate_size=p["intermediate"],
                        max_position_embeddings=MAX_TOKENS, num_labels=2, pad_token_id=0,
                        **_label_maps(agreement.LABELS))
    seed_everything(seed)
    model = BertForSequenceClassification._from_config(config, attn_implementation="eager")
    data, recipe = _agreement_data(p)
    return _train_agreement_transformer(model, tokenizer, config, data, recipe, p,
                                        LoopSettings(p["epochs"], p["batch_size"], p["lr"]), seed, device, out, progress)


def train_gpt2_encoder(p: dict[str, Any], seed: int, device: torch.device, out: Path, progress: ProgressFn, *,
                       corpus_dir: Path) -> dict[str, Any]:
    """Abnar & Zuidema's classifier (``models.gpt2_encoder``): their dropouts, L2 1e-4 instead of weight decay;
    with ``p["real"]``, trained on the grammar plus real sentences and tested on held-out real ones."""
    from ..models.gpt2_encoder import GPT2EncoderConfig, GPT2EncoderForSequenceClassification

    data, recipe, words = _mixed_agreement_data(p, corpus_dir) if p["real"] else (*_agreement_data(p), [])
    tokenizer = _agreement_tokenizer(words, model_input_names=["input_ids", "attention_mask"])
    config = GPT2EncoderConfig(vocab_size=len(tokenizer), n_positions=MAX_TOKENS, n_embd=p["hidden"],
                               n_layer=p["layers"], n_head=p["heads"], embd_pdrop=p["embd_pdrop"],
                               resid_pdrop=p["resid_pdrop"], attn_pdrop=p["attn_pdrop"],
                               initializer_range=p["initializer_range"], num_labels=2,
                               pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.cls_token_id,
                               eos_token_id=tokenizer.sep_token_id, **_label_maps(agreement.LABELS))
    seed_everything(seed)
    model = GPT2EncoderForSequenceClassification._from_config(config, attn_implementation="eager")
    settings = LoopSettings(p["epochs"], p["batch_size"], p["lr"], weight_decay=0.0, l2=p["l2"])
    return _train_agreement_transformer(model, tokenizer, config, data, recipe, p, settings, seed, device, out,
                                        progress)


def train_lstm(p: dict[str, Any], seed: int, device: torch.device, out: Path, progress: ProgressFn) -> dict[str, Any]:
    from safetensors.torch import save_file

    data, recipe = _agreement_data(p)
    vocab = WordVocab(_agreement_vocab())
    config = dict(vocab_size=len(vocab), num_labels=2, embedding_dim=p["embedding"], hidden_size=p["hidden"],
                  num_layers=1, cell="lstm", bidirectional=False, dropout=0.1, pad_id=vocab.pad_id)
    seed_everything(seed)
    model = RecurrentClassifier(**config)

    def tensors(examples):
        batch = vocab.encode([e.text for e in examples], MAX_TOKENS)
        return TensorData(batch.inputs, torch.tensor([e.label for e in examples]))

    summary = train_classifier(model, lambda m, x: m(x["input_ids"], x["attention_mask"]), tensors(data.train),
                               tensors(data.dev), LoopSettings(p["epochs"], p["batch_size"], p["lr"]), seed,
                               device, augment=_unk_dropout(vocab.unk_id, ()), progress=progress)
    save_file({k: v.contiguous() for k, v in model.to("cpu").state_dict().items()}, str(out / "model.safetensors"))
    (out / "vocab.txt").write_text(vocab.dumps(), encoding="utf-8")
    return {"architecture": "recurrent", "config": config, "labels": list(agreement.LABELS),
            "max_length": MAX_TOKENS, "data": recipe, "training": summary, "parameters": _count(model),
            "metrics_fn": lambda adapter: agreement_metrics(adapter, data.test)}


def train_cnn(p: dict[str, Any], seed: int, device: torch.device, out: Path, progress: ProgressFn) -> dict[str, Any]:
    from safetensors.torch import save_file

    data, recipe = _digits_data()
    config = dict(num_labels=10, in_channels=1, image_size=8, channels=list(p["channels"]), hidden=p["hidden"],
                  dropout=0.25)
    seed_everything(seed)
    model = ConvClassifier(**{**config, "channels": tuple(config["channels"])})
    summary = train_classifier(model, lambda m, x: m(x["images"]), _digit_tensors(data.train),
                               _digit_tensors(data.dev), LoopSettings(p["epochs"], p["batch_size"], p["lr"]),
                               seed, device, augment=_shift_augment, progress=progress)
    save_file({k: v.contiguous() for k, v in model.to("cpu").state_dict().items()}, str(out / "model.safetensors"))
    return {"architecture": "conv", "config": config, "labels": list(digits.LABELS), "data": recipe,
            "training": summary, "parameters": _count(model),
            "metrics_fn": lambda adapter: digits_metrics(adapter, data.test)}


def train_vit(p: dict[str, Any], seed: int, device: torch.device, out: Path, progress: ProgressFn) -> dict[str, Any]:
    from transformers import ViTConfig, ViTForImageClassification

    data, recipe = _digits_data()
    config = ViTConfig(image_size=8, patch_size=p["patch"], num_channels=1, hidden_size=p["hidden"],
                       num_hidden_layers=p["layers"], num_attention_heads=p["heads"],
                       intermediate_size=p["intermediate"], num_labels=10, hidden_dropout_prob=0.1,
                       attention_probs_dropout_prob=0.0, **_label_maps(digits.LABELS))
    seed_everything(seed)
    model = ViTForImageClassification._from_config(config, attn_implementation="eager")
    summary = train_classifier(model, lambda m, x: m(pixel_values=x["images"]).logits,
                               _digit_tensors(data.train), _digit_tensors(data.dev),
                               LoopSettings(p["epochs"], p["batch_size"], p["lr"], weight_decay=0.05), seed,
                               device, augment=_shift_augment, progress=progress)
    model.to("cpu").save_pretrained(out, safe_serialization=True)
    return {"architecture": "hf", "config": config.to_diff_dict(), "labels": list(digits.LABELS), "data": recipe,
            "training": summary, "parameters": _count(model),
            "metrics_fn": lambda adapter: digits_metrics(adapter, data.test)}


def train_mlm(p: dict[str, Any], seed: int, device: torch.device, out: Path, progress: ProgressFn, *,
              corpus_dir: Path) -> dict[str, Any]:
    """A small multilingual BERT masked LM on the EN/ES/DE/FR corpus (``datasets.corpus``)."""
    from transformers import BertConfig, BertForMaskedLM

    splits = corpus.read_corpus(corpus_dir)
    limit = p["segments_per_language"]
    train_text = {lang: segments[:limit] for lang, segments in splits.train.items()}
    tokenizer = train_wordpiece((s for segments in train_text.values() for s in segments), p["vocab"], p["block"])
    blocks = {name: {lang: pack_blocks(tokenizer, segments[:limit], p["block"]) for lang, segments in part.items()}
              for name, part in (("train", train_text), ("dev", splits.dev), ("test", splits.test))}
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=p["hidden"], num_hidden_layers=p["layers"],
                        num_attention_heads=p["heads"], intermediate_size=p["intermediate"],
                        max_position_embeddings=p["block"], type_vocab_size=1, pad_token_id=tokenizer.pad_token_id,
                        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    seed_everything(seed)
    model = BertForMaskedLM._from_config(config, attn_implementation="eager")
    summary = train_masked_lm(model, tokenizer, torch.cat(list(blocks["train"].values())), blocks["dev"],
                              MlmSettings(p["steps"], p["batch_size"], p["lr"]), seed, device, progress)
    model.to("cpu").save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    recipe = {**splits.recipe(), "segments_per_language": limit,
              "tokenizer": "WordPiece (tokenizers), NFC + lower-case, accents kept, trained on the train split",
              "blocks": {name: {lang: len(b) for lang, b in part.items()} for name, part in blocks.items()}}
    return {"architecture": "hf", "config": config.to_diff_dict(), "data": recipe, "training": summary,
            "parameters": _count(model), "metrics_fn": lambda adapter: masked_lm_metrics(adapter, blocks["test"])}


def _count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({platform.processor() or platform.machine()}, {os.cpu_count()} cores, {torch.get_num_threads()} threads)"


def _corpus_dir(data_dir: str | Path | None) -> Path:
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    if root is None:
        raise DataError(f"this recipe reads the shared data folder: pass `data_dir` or set {DATA_DIR_ENV}")
    return root / corpus.CORPUS_FOLDER


def train(name: str, out_dir: str | Path, *, seed: int = 0, device: str = "cpu", preset: str = "full",
          progress: ProgressFn = silent, data_dir: str | Path | None = None) -> dict[str, Any]:
    """Train reference model ``name`` into ``out_dir`` (replaced only once training succeeded).

    ``data_dir`` (else ``paths.default_data_dir()``) is read only by recipes that read the corpus
    or the decision tables.
    """
    from ..models.registry import reference_model

    model = reference_model(name, preset)
    if device == "cuda" and not torch.cuda.is_available():
        raise ParameterError("`device` cuda was asked for, but no CUDA device is available")
    inputs = {"corpus_dir": _corpus_dir(data_dir)} if model.reads_corpus else {}
    if model.reads_tables:
        inputs = {"data_dir": Path(data_dir) if data_dir is not None else default_data_dir()}
    torch_device = torch.device(device)
    params = model.presets[preset]
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        started = time.perf_counter()
        result = model.recipe()(params, seed, torch_device, staging, progress, **inputs)
        wall = time.perf_counter() - started
        metrics_fn = result.pop("metrics_fn")
        card = {
            "name": name, "kind": model.kind, "task": model.task, "description": model.description,
            "preset": preset, "seed": seed,
            "hyperparameters": {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()},
            "device": describe_device(torch_device), "wall_time_s": round(wall, 1),
            "versions": {"xaudit": __version__, "torch": torch.__version__, "python": platform.python_version()},
            "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **result,
        }
        write_card(staging, card)  # the loader reads architecture and config from the card
        adapter = load_folder(staging, name=name, allow_pickle=False, device="cpu")
        card["metrics"] = {"dev_accuracy": result["training"]["dev_accuracy"], **metrics_fn(adapter)}
        write_card(staging, card)
        _replace_dir(staging, out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return card


def _replace_dir(new: Path, target: Path) -> None:
    """Move ``new`` to ``target``, replacing what was there, never leaving a half-written folder.

    The staging folder (made private by ``mkdtemp``) gets the usual permissions first.
    """
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(new, 0o777 & ~mask)
    for path in new.rglob("*"):
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~mask)
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old)
    else:
        os.replace(new, target)
