"""Held-out metrics of the reference tasks, computed through the public adapters."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch

from ..datasets import agreement, digits
from ..models.base import ModelAdapter
from ..models.hf import HFMaskedLMAdapter
from ..models.predict import predict_proba
from .mlm import accuracy_by_language


def agreement_metrics(adapter: ModelAdapter, examples: list[agreement.AgreementExample]) -> dict[str, object]:
    """Accuracy overall and per attractor count (Linzen et al. 2016's breakdown)."""
    predicted = predict_proba(adapter, [e.text for e in examples]).argmax(axis=1)
    correct = predicted == np.array([e.label for e in examples])
    by_count: dict[int, list[bool]] = defaultdict(list)
    for example, ok in zip(examples, correct):
        by_count[example.attractors].append(bool(ok))
    return {
        "test_accuracy": float(correct.mean()),
        "test_n": len(examples),
        "test_accuracy_by_attractors": {str(k): float(np.mean(v)) for k, v in sorted(by_count.items())},
        "test_n_by_attractors": {str(k): len(v) for k, v in sorted(by_count.items())},
    }


def digits_metrics(adapter: ModelAdapter, split: digits.DigitSplit) -> dict[str, object]:
    predicted = predict_proba(adapter, list(split.images)).argmax(axis=1)
    return {"test_accuracy": float((predicted == split.labels).mean()), "test_n": int(len(split.labels))}


def masked_lm_metrics(adapter: HFMaskedLMAdapter, blocks: dict[str, torch.Tensor]) -> dict[str, object]:
    """Held-out masked-token accuracy (top-1, 15% masked, fixed seed) overall and per language."""
    scores = accuracy_by_language(adapter.model, adapter.tokenizer, blocks)
    overall = scores.pop("all")
    return {
        "test_accuracy": overall["accuracy"],
        "test_n": overall["n"],
        "test_accuracy_by_language": {lang: s["accuracy"] for lang, s in scores.items()},
        "test_n_by_language": {lang: s["n"] for lang, s in scores.items()},
    }
