"""Top-k whole-word predictions of a masked LM for cloze sentences, and their JSONL file.

Following Cabello Piqueras & Søgaard (2022), a model's answer to a cloze item is its
ranked list of single vocabulary items at the mask. Only whole words are candidates:

- WordPiece vocabularies (BERT, mBERT, ``mlm``): items not starting with the continuation
  prefix (``##``);
- SentencePiece vocabularies (XLM-R, mT5 style: a ``Metaspace`` pre-tokenizer): items
  starting with the word-start marker ``▁``, which is stripped;
- never special tokens, bracketed placeholders (``[unused3]``, ``<s>``) or items with no
  letter or digit (pure punctuation).

Each unique sentence (``language``, ``s_id``) is run once, however many annotators
answered it. The data's ``[MASK]`` placeholder becomes the tokenizer's mask token.

Predictions file: one JSON object per line with ``language``, ``s_id`` and ``top_k`` (the
ranked words, best first); other fields (``model``) are allowed and ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from .. import atomic
from ..errors import DataError, ModelError
from ..jsonl import read_objects
from ..models.base import ModelAdapter
from ..progress import ProgressFn, silent
from .mozart import MASK_PLACEHOLDER, Sentence

Key = tuple[str, str]


@dataclass(frozen=True)
class WordCandidates:
    """Vocabulary ids that are whole words, and the word each stands for."""

    ids: torch.Tensor
    words: tuple[str, ...]


def _word_marker(tokenizer) -> tuple[str, str]:
    """``("continuation", "##")`` for WordPiece, ``("start", "▁")`` for SentencePiece-style."""
    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    model = spec.get("model") or {}
    if model.get("type") == "WordPiece":
        return "continuation", model.get("continuing_subword_prefix") or "##"
    pending = [spec.get("pre_tokenizer") or {}]
    while pending:
        node = pending.pop()
        if node.get("type") == "Metaspace":
            return "start", node.get("replacement", "▁")
        pending.extend(node.get("pretokenizers") or [])
    raise ModelError(
        f"cannot tell whole words in a {model.get('type', 'unknown')} vocabulary without a Metaspace "
        "pre-tokenizer; xaudit knows WordPiece (##) and SentencePiece-style (▁) vocabularies"
    )


def _is_placeholder(token: str) -> bool:
    return (token.startswith("[") and token.endswith("]")) or (token.startswith("<") and token.endswith(">"))


def whole_word_candidates(tokenizer) -> WordCandidates:
    """The whole-word items of a fast tokenizer's vocabulary (rules in the module doc)."""
    style, marker = _word_marker(tokenizer)
    special = set(tokenizer.all_special_tokens)
    chosen: list[tuple[int, str]] = []
    for token, index in tokenizer.get_vocab().items():
        if token in special or _is_placeholder(token):
            continue
        if style == "continuation":
            word = None if token.startswith(marker) else token
        else:
            word = token[len(marker):] if token.startswith(marker) else None
        if word and any(ch.isalnum() for ch in word):
            chosen.append((index, word))
    if not chosen:
        raise ModelError("the tokenizer's vocabulary holds no whole-word items")
    chosen.sort()
    return WordCandidates(torch.tensor([i for i, _ in chosen]), tuple(w for _, w in chosen))


def unique_sentences(sentences: Iterable[Sentence]) -> list[Sentence]:
    """Sentences with duplicate (language, s_id) keys removed, first kept, order kept."""
    seen: dict[Key, Sentence] = {}
    for sentence in sentences:
        seen.setdefault(sentence.key, sentence)
    return list(seen.values())


def predict_top_k(adapter: ModelAdapter, sentences: Iterable[Sentence], k: int, *, batch_size: int = 64,
                  progress: ProgressFn = silent) -> dict[Key, tuple[str, ...]]:
    """The ``k`` best whole words at the mask of each unique sentence, best first."""
    tokenizer = getattr(adapter, "tokenizer", None)
    if tokenizer is None or tokenizer.mask_token is None or len(adapter.labels) < len(tokenizer):
        raise ModelError(f"model {adapter.name!r} is not a masked language model "
                         "(its outputs are not scores over a tokenizer's vocabulary with a mask token)")
    candidates = whole_word_candidates(tokenizer)
    if k > len(candidates.words):
        raise ModelError(f"k={k} exceeds the {len(candidates.words)} whole-word items of model {adapter.name!r}")
    items = unique_sentences(sentences)
    out: dict[Key, tuple[str, ...]] = {}
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        batch = adapter.encode([s.text.replace(MASK_PLACEHOLDER, tokenizer.mask_token) for s in chunk])
        with torch.no_grad():
            logits = adapter.forward(batch)[:, candidates.ids.to(adapter.device)]
        best = logits.topk(k, dim=-1).indices.cpu().tolist()
        for sentence, row in zip(chunk, best):
            out[sentence.key] = tuple(candidates.words[i] for i in row)
        progress("predicting cloze sentences", start + len(chunk), len(items))
    return out


def write_predictions(path: str | Path, predictions: dict[Key, Sequence[str]], *, model: str) -> None:
    """Write predictions as JSONL (one sentence per line), atomically."""
    lines = [json.dumps({"language": lang, "s_id": s_id, "top_k": list(words), "model": model}, ensure_ascii=False)
             for (lang, s_id), words in predictions.items()]
    atomic.write_text(path, "\n".join(lines) + "\n")


def _check_line(row: dict[str, Any], where: str) -> tuple[Key, tuple[str, ...]]:
    language, s_id, top_k = row.get("language"), row.get("s_id"), row.get("top_k")
    if not isinstance(language, str) or not language:
        raise DataError(f"{where}: 'language' must be a non-empty string")
    if isinstance(s_id, bool) or not isinstance(s_id, (str, int)) or str(s_id) == "":
        raise DataError(f"{where}: 's_id' must be a string or an integer")
    if not isinstance(top_k, list) or not all(isinstance(w, str) for w in top_k):
        raise DataError(f"{where}: 'top_k' must be a list of words (strings)")
    return (language, str(s_id)), tuple(top_k)


def load_predictions(path: str | Path) -> dict[Key, tuple[str, ...]]:
    """Read a predictions JSONL file (format in the module doc); DataError naming the bad line."""
    out: dict[Key, tuple[str, ...]] = {}
    for number, row in read_objects(path, "predictions file"):
        where = f"{path}:{number}"
        key, words = _check_line(row, where)
        if key in out:
            raise DataError(f"{where}: second prediction for language {key[0]!r}, s_id {key[1]!r}")
        out[key] = words
    if not out:
        raise DataError(f"predictions file {path} holds no predictions")
    return out
