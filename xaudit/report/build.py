"""Run the audit behind a report and collect every result as JSON-able data.

The same data is rendered to HTML (``render.py``) and written beside it as JSON.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import __version__
from ..datasets.reference import test_split
from ..models import load_model
from ..models.cards import read_card
from ..models.registry import REFERENCE_MODELS, reference_dir
from ..progress import ProgressFn, silent
from . import explanations, provenance
from .methods_text import LIMITATIONS, METHODS

SHOWCASE_TEXTS = ["the keys to the cabinet", "the author that the senators admire near our old city"]


@dataclass
class ReportConfig:
    """What to audit. Defaults: every reference model, its default methods, built-in examples."""

    models: list[str] = field(default_factory=lambda: ["bert", "lstm", "cnn", "vit"])
    methods: list[str] | None = None
    texts: list[str] = field(default_factory=list)
    n_examples: int = 8
    n_evaluate: int = 100
    seed: int = 0
    title: str = "xaudit audit report"
    command: str = ""


def _examples(adapter, card: dict[str, Any], config: ReportConfig) -> tuple[list, list[str], list]:
    split = test_split(card, config.n_examples)
    if adapter.modality == "text":
        texts = (config.texts or SHOWCASE_TEXTS) + split.inputs
        labels = [None] * len(config.texts or SHOWCASE_TEXTS) + split.labels
        return texts, [f"example {i + 1}" for i in range(len(texts))], labels
    return split.inputs, [f"digit {i}" for i in range(len(split.inputs))], split.labels


def explanation_blocks(config: ReportConfig, progress: ProgressFn) -> tuple[list[dict], list[dict]]:
    blocks, models = [], []
    for name in config.models:
        adapter = load_model(name)
        card = read_card(reference_dir(name)) or {} if name in REFERENCE_MODELS else {}
        registered = REFERENCE_MODELS.get(name)
        models.append(provenance.model_record(name, adapter.kind, registered.task if registered else "",
                                              reference_dir(name), card))
        inputs, ids, labels = _examples(adapter, card, config)
        evaluation = test_split(card, config.n_evaluate) if card else None
        blocks.append(explanations.section(
            adapter, card.get("description", name), inputs, ids, labels,
            config.methods or explanations.default_methods(adapter),
            evaluation.inputs if evaluation else [], evaluation.labels if evaluation else [], config.seed,
            progress=lambda d, done, total, n=name: progress(f"{n}: {d}", done, total),
        ))
    return blocks, models


def build_report(config: ReportConfig, progress: ProgressFn = silent) -> dict[str, Any]:
    """Run every part of the audit and return the report data."""
    blocks, models = explanation_blocks(config, progress)
    return {
        "schema_version": 1,
        "title": config.title,
        "version": __version__,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "data_source": "built-in generated data (agreement grammar, scikit-learn digits)",
        "scope": (f"This report audits {len(models)} model(s): how they reach their decisions (attributions and "
                  "how far to trust them)."),
        "models": models,
        "findings": [],
        "group_fairness": [],
        "cloze": None,
        "explanations": blocks,
        "methods": METHODS,
        "limitations": LIMITATIONS,
        "provenance": {"command": config.command or " ".join(["xaudit", *sys.argv[1:]]), "seed": config.seed,
                       "machine": provenance.machine(), "packages": provenance.packages(), "data_files": []},
    }
