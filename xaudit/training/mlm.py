"""Masked-language-model pre-training for the reference model ``mlm`` (Devlin et al. 2019).

A lower-cased, accent-keeping WordPiece tokenizer is trained with the ``tokenizers``
library; text is packed into fixed-length blocks (``[CLS] ... [SEP]``, the last block of
a language padded); 15% of the non-special tokens are chosen per batch and replaced
80/10/10 by ``[MASK]`` / a random token / themselves. The loss and the output layer run
only at the chosen positions, which saves most of the vocabulary projection on CPU.
Held-out accuracy masks 15% of tokens (all by ``[MASK]``) with a fixed seed and counts
top-1 recoveries of the original token.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import torch
from torch import nn

from ..models.base import eval_mode
from ..models.text import CLS, MASK, PAD, SEP, SPECIAL_TOKENS, UNK
from ..progress import ProgressFn, silent
from .loop import warmup_linear_decay

MASK_RATE = 0.15
IGNORE = -100
EVAL_MASK_SEED = 1234


@dataclass(frozen=True)
class MlmSettings:
    steps: int
    batch_size: int
    lr: float
    weight_decay: float = 0.01
    warmup: float = 0.1
    evaluations: int = 6


def train_wordpiece(texts: Iterable[str], vocab_size: int, max_length: int):
    """A fast WordPiece tokenizer (NFC, lower-cased, accents kept) trained on ``texts``.

    Wrapped as ``PreTrainedTokenizerFast``: transformers' ``BertTokenizer`` would rebuild
    the normaliser on loading and strip accents. Ids are re-assigned in sorted order
    (special tokens first) because the trainer numbers pieces in hash order; it also breaks
    frequency ties in hash order, so two runs can differ in a few rare pieces (2-4 of
    16,000 on the shipped corpus).
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordPiece(unk_token=UNK))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.NFC(),
        normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=True),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS), min_frequency=2,
                                        show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    learned = sorted(set(tokenizer.get_vocab()) - set(SPECIAL_TOKENS))
    tokenizer.model = models.WordPiece({t: i for i, t in enumerate([*SPECIAL_TOKENS, *learned])}, unk_token=UNK)
    cls_id, sep_id = tokenizer.token_to_id(CLS), tokenizer.token_to_id(SEP)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{CLS} $A {SEP}", pair=f"{CLS} $A {SEP} $B:1 {SEP}:1", special_tokens=[(CLS, cls_id), (SEP, sep_id)]
    )
    tokenizer.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token=UNK, pad_token=PAD, cls_token=CLS,
                                   sep_token=SEP, mask_token=MASK, model_max_length=max_length)


def pack_blocks(tokenizer, segments: Sequence[str], block: int) -> torch.Tensor:
    """``(n, block)`` token ids: the segments' tokens in order, cut into ``[CLS] ... [SEP]`` blocks."""
    body = block - 2
    encodings = tokenizer.backend_tokenizer.encode_batch(list(segments), add_special_tokens=False)
    stream = list(chain.from_iterable(e.ids for e in encodings))
    rows = []
    for start in range(0, len(stream), body):
        piece = stream[start : start + body]
        padding = [tokenizer.pad_token_id] * (body - len(piece))
        rows.append([tokenizer.cls_token_id, *piece, tokenizer.sep_token_id, *padding])
    return torch.tensor(rows, dtype=torch.long).reshape(-1, block)


def mask_tokens(ids: torch.Tensor, generator: torch.Generator, *, mask_id: int, n_special: int, vocab_size: int,
                replace: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs with 15% of non-special tokens masked, and labels (``-100`` where not masked).

    Special tokens must hold ids ``0 .. n_special - 1``. With ``replace`` the chosen tokens
    become ``[MASK]`` / a random non-special token / themselves at 80/10/10; without it,
    all become ``[MASK]`` (evaluation).
    """
    chosen = (torch.rand(ids.shape, generator=generator) < MASK_RATE) & (ids >= n_special)
    labels = torch.where(chosen, ids, torch.full_like(ids, IGNORE))
    inputs = ids.clone()
    if not replace:
        inputs[chosen] = mask_id
        return inputs, labels
    roll = torch.rand(ids.shape, generator=generator)
    randoms = torch.randint(n_special, vocab_size, ids.shape, generator=generator)
    inputs[chosen & (roll < 0.8)] = mask_id
    randomised = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[randomised] = randoms[randomised]
    return inputs, labels


def _masked_logits(model: nn.Module, inputs: torch.Tensor, pad_id: int, chosen: torch.Tensor) -> torch.Tensor:
    """Vocabulary logits at the ``chosen`` positions only (a ``BertForMaskedLM``)."""
    hidden = model.bert(input_ids=inputs, attention_mask=(inputs != pad_id).long()).last_hidden_state
    return model.cls(hidden[chosen])


@torch.no_grad()
def masked_token_accuracy(model: nn.Module, tokenizer, blocks: torch.Tensor, *, seed: int = EVAL_MASK_SEED,
                          batch_size: int = 256) -> tuple[int, int]:
    """(correct, masked) top-1 recoveries of 15% of tokens masked with a fixed seed."""
    generator = torch.Generator().manual_seed(seed)
    inputs, labels = mask_tokens(blocks, generator, mask_id=tokenizer.mask_token_id, n_special=len(SPECIAL_TOKENS),
                                 vocab_size=len(tokenizer), replace=False)
    device = next(model.parameters()).device
    correct = 0
    with eval_mode(model):
        for start in range(0, len(blocks), batch_size):
            x, y = inputs[start : start + batch_size].to(device), labels[start : start + batch_size].to(device)
            chosen = y != IGNORE
            predicted = _masked_logits(model, x, tokenizer.pad_token_id, chosen).argmax(-1)
            correct += int((predicted == y[chosen]).sum())
    return correct, int((labels != IGNORE).sum())


def accuracy_by_language(model: nn.Module, tokenizer, blocks: dict[str, torch.Tensor]) -> dict[str, dict[str, object]]:
    """``{language: {"accuracy", "n"}}`` plus ``"all"``, by :func:`masked_token_accuracy`."""
    counts = {lang: masked_token_accuracy(model, tokenizer, b) for lang, b in blocks.items()}
    counts["all"] = (sum(c for c, _ in counts.values()), sum(n for _, n in counts.values()))
    return {lang: {"accuracy": c / n if n else None, "n": n} for lang, (c, n) in counts.items()}


def train_masked_lm(model: nn.Module, tokenizer, train_blocks: torch.Tensor, dev_blocks: dict[str, torch.Tensor],
                    settings: MlmSettings, seed: int, device: torch.device,
                    progress: ProgressFn = silent) -> dict[str, object]:
    """Train for ``settings.steps`` batches (reshuffling each pass); dev accuracy a few times.

    Each history entry holds the mean training loss since the previous one.
    """
    generator = torch.Generator().manual_seed(seed)
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    scheduler = warmup_linear_decay(optimizer, settings.steps, settings.warmup)
    loss_fn = nn.CrossEntropyLoss()
    checkpoints = {round(settings.steps * (i + 1) / settings.evaluations) for i in range(settings.evaluations)}
    order, cursor, passes, history = torch.randperm(len(train_blocks), generator=generator), 0, 1, []
    losses: list[float] = []
    for step in range(1, settings.steps + 1):
        if cursor >= len(order):
            order, cursor, passes = torch.randperm(len(train_blocks), generator=generator), 0, passes + 1
        ids = train_blocks[order[cursor : cursor + settings.batch_size]]
        cursor += settings.batch_size
        inputs, labels = mask_tokens(ids, generator, mask_id=tokenizer.mask_token_id, n_special=len(SPECIAL_TOKENS),
                                     vocab_size=len(tokenizer))
        model.train()
        chosen = (labels != IGNORE).to(device)
        logits = _masked_logits(model, inputs.to(device), tokenizer.pad_token_id, chosen)
        loss = loss_fn(logits, labels.to(device)[chosen])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.detach().item())
        progress("training masked LM", step, settings.steps)
        if step in checkpoints:
            dev = accuracy_by_language(model, tokenizer, dev_blocks)
            history.append({"step": step, "train_loss": sum(losses) / len(losses), "dev_accuracy": dev["all"]["accuracy"],
                            "dev_accuracy_by_language": {k: v["accuracy"] for k, v in dev.items() if k != "all"}})
            losses.clear()
    model.eval()
    last = history[-1]
    return {"dev_accuracy": last["dev_accuracy"], "dev_accuracy_by_language": last["dev_accuracy_by_language"],
            "steps": settings.steps, "passes_over_data": passes, "train_blocks": len(train_blocks),
            "history": history}
