"""Text encoding and the behaviour shared by text adapters (transformer and recurrent).

Both kinds expose their token-embedding layer; gradients and perturbations act on its
output, and ``forward_from_embeddings`` replaces that output through a temporary hook,
so position embeddings and everything downstream run exactly as in a normal forward.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from ..errors import DataError, ParameterError
from .base import AdapterBase, Batch, eval_mode, replaced_output, tile_inputs

_WORD_RE = re.compile(r"\w+|[^\w\s]")
PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP, MASK)


def check_texts(texts: Sequence[object]) -> list[str]:
    """Reject an empty batch, non-strings and blank texts with a DataError."""
    if len(texts) == 0:
        raise DataError("no input texts given")
    out = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise DataError(f"input {i} is not text: {type(text).__name__}")
        if not text.strip():
            raise DataError(f"input {i} is empty text")
        out.append(text)
    return out


class WordVocab:
    """A word-level vocabulary: lower-cased ``\\w+`` words and punctuation, unknown -> [UNK]."""

    def __init__(self, tokens: Sequence[str]):
        missing = [t for t in (PAD, UNK) if t not in tokens]
        if missing:
            raise DataError(f"vocabulary lacks special tokens: {', '.join(missing)}")
        self.tokens = list(tokens)
        self.index = {t: i for i, t in enumerate(self.tokens)}
        self.pad_id = self.index[PAD]
        self.unk_id = self.index[UNK]

    def __len__(self) -> int:
        return len(self.tokens)

    @classmethod
    def load(cls, path: str | Path) -> WordVocab:
        return cls(Path(path).read_text(encoding="utf-8").splitlines())

    def dumps(self) -> str:
        return "\n".join(self.tokens) + "\n"

    def split(self, text: str) -> list[str]:
        return _WORD_RE.findall(text.lower())

    def encode(self, texts: Sequence[object], max_length: int) -> Batch:
        """Pad to the longest text; truncate beyond ``max_length`` and count what was dropped."""
        texts = check_texts(texts)
        words = [self.split(t) for t in texts]
        if any(not w for w in words):
            raise DataError("an input text has no words")
        kept = [w[:max_length] for w in words]
        width = max(len(w) for w in kept)
        ids = torch.full((len(kept), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(kept), width), dtype=torch.long)
        for row, w in enumerate(kept):
            ids[row, : len(w)] = torch.tensor([self.index.get(t, self.unk_id) for t in w])
            mask[row, : len(w)] = 1
        return Batch(
            inputs={"input_ids": ids, "attention_mask": mask},
            units=[list(w) for w in kept],
            modality="text",
            special=[[False] * len(w) for w in kept],
            words=[list(range(len(w))) for w in kept],
            word_texts=[list(w) for w in kept],
            truncated=[len(w) - len(k) for w, k in zip(words, kept)],
            sources=list(texts),
        )


def _join_blank_words(word_ids: list[int | None], spans: dict[int, str]) -> list[int | None]:
    """Give the tokens of a word that is only white space (a byte-level BPE ``Ġ`` before ``<mask>``)
    to the next word (else the previous one), and drop it from ``spans``; texts are already stripped."""
    blank = [w for w, text in spans.items() if not text]
    kept = sorted(w for w in spans if spans[w])
    for w in blank:
        del spans[w]
    if not kept:
        return [None] * len(word_ids)
    home = {w: next((k for k in kept if k > w), kept[-1]) for w in blank}
    return [home.get(w, w) if w is not None else None for w in word_ids]


def encode_with_tokenizer(tokenizer, texts: Sequence[object], max_length: int) -> Batch:
    """Encode with a Hugging Face fast tokenizer, keeping word alignment for aggregation."""
    texts = check_texts(texts)
    full_lengths = [len(ids) for ids in tokenizer(list(texts), add_special_tokens=True)["input_ids"]]
    enc = tokenizer(
        list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt",
        return_special_tokens_mask=True, padding_side="right",  # units are read off the first n positions
    )
    special_mask = enc.pop("special_tokens_mask")
    units, special, words, word_texts = [], [], [], []
    for row, text in enumerate(texts):
        n = int(enc["attention_mask"][row].sum())
        ids = enc["input_ids"][row, :n].tolist()
        units.append(tokenizer.convert_ids_to_tokens(ids))
        special.append([bool(s) for s in special_mask[row, :n].tolist()])
        word_ids = enc.word_ids(row)[:n]
        words.append(list(word_ids))
        spans = {}
        for w in sorted({w for w in word_ids if w is not None}):
            span = enc.word_to_chars(row, w)
            spans[w] = text[span.start : span.end].strip() if span is not None else str(w)
        word_ids = _join_blank_words(word_ids, spans)
        # Re-number words 0..k-1 in order of appearance so indices address word_texts.
        order = {w: i for i, w in enumerate(sorted(spans))}
        words[-1] = [order[w] if w is not None else None for w in word_ids]
        word_texts.append([spans[w] for w in sorted(spans)])
    return Batch(
        inputs=dict(enc),
        units=units,
        modality="text",
        special=special,
        words=words,
        word_texts=word_texts,
        truncated=[max(0, full - max_length) for full in full_lengths],
        sources=list(texts),
    )


class TextAdapter(AdapterBase):
    """Behaviour shared by text adapters; subclasses provide the embedding layer and logits."""

    modality = "text"
    model: nn.Module
    baseline_kinds: tuple[str, ...] = ("pad", "zero", "unk", "mask")

    def _embedding_layer(self) -> nn.Module:
        raise NotImplementedError

    def _logits(self, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError

    def _token_id(self, token: str) -> int | None:
        raise NotImplementedError

    def _to_device(self, batch: Batch) -> dict[str, torch.Tensor]:
        return {k: v.to(self.device) for k, v in batch.inputs.items()}

    def forward(self, batch: Batch) -> torch.Tensor:
        if batch.embedding_noise is not None:
            return self.forward_from_embeddings(self.embed(batch), batch)
        with eval_mode(self.model):
            return self._logits(self._to_device(batch))

    def embed(self, batch: Batch) -> torch.Tensor:
        """Token embeddings ``(B, n, d)``, plus the batch's embedding noise if it has any."""
        with torch.no_grad():
            embeddings = self._embedding_layer()(batch.inputs["input_ids"].to(self.device)).detach()
        if batch.embedding_noise is not None:
            embeddings = embeddings + batch.embedding_noise.to(embeddings)
        return embeddings

    def perturbed(self, batch: Batch, noise: torch.Tensor) -> Batch:
        """The batch with ``noise`` added to its token embeddings (for stability measures)."""
        from dataclasses import replace

        return replace(batch, embedding_noise=noise)

    def forward_from_embeddings(self, embeddings: torch.Tensor, batch: Batch) -> torch.Tensor:
        inputs = tile_inputs(self._to_device(batch), embeddings.shape[0])
        with eval_mode(self.model), replaced_output(self._embedding_layer(), embeddings):
            return self._logits(inputs)

    def _token_embedding(self, batch: Batch, token_id: int) -> torch.Tensor:
        ids = torch.full_like(batch.inputs["input_ids"], token_id).to(self.device)
        with torch.no_grad():
            return self._embedding_layer()(ids).detach()

    def _kept_positions(self, batch: Batch) -> torch.Tensor:
        """``(B, n, 1)`` True at special tokens and padding: positions a baseline leaves as they are."""
        width = batch.inputs["input_ids"].shape[1]
        kept = torch.ones(len(batch), width, dtype=torch.bool)
        for row, special in enumerate(batch.special):
            kept[row, : len(special)] = torch.tensor(special, dtype=torch.bool)
        return kept.unsqueeze(-1).to(self.device)

    def baseline(self, batch: Batch, kind: str | None = None) -> torch.Tensor:
        """The input with every word token replaced by zeros or by [PAD] / [UNK] / [MASK]'s embedding.

        Special tokens ([CLS], [SEP]) and padding keep their own embeddings (captum's usual
        reference), so attributions go to the words and sum over them to ``f(x) − f(b)``.
        The default is [UNK], as in blank-out: a word the model does not know is input it has
        seen, while [PAD]'s embedding is often the untrained zero row (``padding_idx``), an input
        the model never saw unmasked; [PAD] when the model has no [UNK]. (Byte-level BPE models
        such as RoBERTa almost never see ``<unk>`` in training: pass ``pad`` or ``mask`` there.)
        """
        kind = self.baseline_kind(kind)
        tokens = {"pad": PAD, "unk": UNK, "mask": MASK}
        if kind == "zero":
            replacement = torch.zeros_like(self.embed(batch))
        elif kind in tokens:
            token_id = self._token_id(tokens[kind])
            if token_id is None:
                raise ParameterError(f"model {self.name!r} has no {tokens[kind]} token for the {kind!r} baseline")
            replacement = self._token_embedding(batch, token_id)
        else:
            raise ParameterError(
                f"unknown baseline {kind!r} for a text model; choose one of: {', '.join(self.baseline_kinds)}"
            )
        return torch.where(self._kept_positions(batch), self.embed(batch), replacement)

    def baseline_kind(self, kind: str | None = None) -> str:
        """``kind``, else ``unk`` when the model has an [UNK] token, else ``pad``."""
        return kind or ("unk" if self._token_id(UNK) is not None else "pad")

    def blank_value(self, batch: Batch) -> torch.Tensor:
        """What blank-out puts in a token's place: [UNK]'s embedding, else [MASK]'s, else the padding token's (a
        decoder's end-of-text token)."""
        for token in (UNK, MASK, PAD):
            token_id = self._token_id(token)
            if token_id is not None:
                return self._token_embedding(batch, token_id)
        raise ParameterError(f"model {self.name!r} has no [UNK], [MASK] or padding token for blank-out")
