"""Run the audit behind a report and assemble the typed :class:`~xaudit.report.document.AuditReport`.

``render.py`` shows it as HTML; its ``to_dict`` is the JSON written beside it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._version import __version__
from ..datasets.reference import held_out_examples
from ..fairness import AuditSettings
from ..datasets.decision_tables import tables as reference_tables
from ..errors import DataError
from ..inputs import read_text_file
from ..models import load_model
from ..models.hf import HFMaskedLMAdapter
from ..models.registry import REFERENCE_MODELS, card_of, model_folder
from ..progress import ProgressFn, silent
from ..wording import count
from . import cloze_section, explanations, fairness_section, findings, model_audits, provenance
from .config import ReportConfig
from .document import AuditReport, ExplanationSection, GroupFairnessAudit, ModelAuditSection, ModelRecord, Provenance
from .methods_text import LIMITATIONS, methods

CLOZE_SCOPE = ", whether a language model predicts the words that different demographic groups would write,"
SHOWCASE_TEXTS = ["the keys to the cabinet", "the author that the senators admire near our old city"]
MASKED_SHOWCASE_TEXTS = ["the keys to the {mask} are on the table .", "el {mask} de la casa es muy grande .",
                         "die {mask} ist sehr alt .", "la {mask} est sur la table ."]


def _held_out(adapter, card: dict[str, Any], n: int, config: ReportConfig):
    """The model's held-out examples, or None when it has none (a masked LM whose corpus is absent)."""
    if not card.get("data"):
        return None
    try:
        return held_out_examples(card, n, vocabulary=adapter.labels, data_dir=config.data_dir)
    except DataError:
        if card.get("task") == "cloze":
            return None
        raise


def _showcase(adapter) -> list[str]:
    mask = getattr(getattr(adapter, "tokenizer", None), "mask_token", None)
    if isinstance(adapter, HFMaskedLMAdapter) and mask:
        return [text.format(mask=mask) for text in MASKED_SHOWCASE_TEXTS]
    return SHOWCASE_TEXTS


def _examples(adapter, card: dict[str, Any], config: ReportConfig) -> tuple[list, list[str], list]:
    split = _held_out(adapter, card, config.n_examples, config)
    if adapter.modality == "text":
        given = config.texts + (read_text_file(config.input) if config.input else [])
        shown = given or _showcase(adapter)
        texts = shown + (split.inputs if split else [])
        labels = [None] * len(shown) + (split.labels if split else [])
        return texts, [f"example {i + 1}" for i in range(len(texts))], labels
    if split is None:
        return [], [], []
    return split.inputs, [f"digit {i}" for i in range(len(split.inputs))], split.labels


def _model_record(name: str, kind: str) -> tuple[ModelRecord, dict[str, Any]]:
    """Provenance record and card of a reference model, model folder or hub id."""
    registered = REFERENCE_MODELS.get(name)
    card = card_of(name)
    return provenance.model_record(name, kind, registered.task if registered else "", model_folder(name), card), card


def explanation_blocks(config: ReportConfig, progress: ProgressFn) -> tuple[list[ExplanationSection],
                                                                            list[ModelRecord]]:
    blocks, models = [], []
    for name in config.models:
        adapter = load_model(name)
        record, card = _model_record(name, adapter.kind)
        models.append(record)
        inputs, ids, labels = _examples(adapter, card, config)
        if not inputs:
            continue
        evaluation = _held_out(adapter, card, config.n_evaluate, config)
        blocks.append(explanations.section(
            adapter, card.get("description", name), inputs, ids, labels,
            config.methods or explanations.default_methods(adapter),
            evaluation.inputs if evaluation else [], evaluation.labels if evaluation else [], config.seed,
            progress=lambda d, done, total, n=name: progress(f"{n}: {d}", done, total),
        ))
    return blocks, models


def fairness_audits(config: ReportConfig, progress: ProgressFn) -> tuple[list[GroupFairnessAudit], str,
                                                                         list[Path], list[ModelAuditSection]]:
    settings = AuditSettings(n_boot=config.n_boot, seed=config.seed)
    if config.fairness is not None:
        from ..fairness import parse_definition
        from ..fairness.pipeline import run_group_fairness

        spec = config.fairness
        result, _ = run_group_fairness(
            data=spec.data, counts=None, example=None, label_col=spec.label_col, pred_col=spec.pred_col,
            score_col=spec.score_col, threshold=spec.threshold, positive=spec.positive, group_cols=spec.group_cols,
            definitions=[parse_definition(d) for d in spec.define], groups=spec.groups, strict=False,
            settings=settings, progress=progress)
        grouping = " × ".join(spec.group_cols) or "the defined groups"
        audit = GroupFairnessAudit(f"{spec.data.name} by {grouping}", spec.data.name, list(spec.group_cols),
                                   f"Predictions read from {spec.data}.", result)
        return [audit], f"the predictions in {spec.data}", [spec.data], []
    shared = model_audits.tables(config.data_dir)
    if shared is not None:
        audits, sections = model_audits.audits(shared, settings, config.seed, progress)
        source = ("the decisions of the neural reference models " + ", ".join(
            f"{name} on {path.name}" for name, path in shared.items()) + f" from {config.data_dir}")
        return audits, source, list(shared.values()), sections
    chosen = reference_tables(config.data_dir, config.seed)
    files = [f for table in chosen for f in table.files]
    source = ", ".join(t.name for t in chosen) + (
        f" from {config.data_dir}" if files else " (the shared data folder was not found)")
    return fairness_section.audits(chosen, settings, progress), source, files, []


def _since(baseline: Path, audits: list[GroupFairnessAudit]) -> dict[str, Any]:
    """What changed between the baseline's audits and this report's, paired by title."""
    from ..fairness.diff import diff_audits, read_audits

    return diff_audits(read_audits(baseline), {a.title: a.result for a in audits}, str(baseline),
                       "this audit").to_dict()


def build_report(config: ReportConfig, progress: ProgressFn = silent) -> AuditReport:
    """Run every part of the audit and return the report."""
    audits, fairness_source, files, sections = fairness_audits(config, progress)
    shared = model_audits.tables(config.data_dir) if config.fairness is None else None
    ll144 = model_audits.ll144_sections(shared, progress) if shared else []
    cloze, cloze_files = cloze_section.section(config.data_dir, config.cloze_model, progress) if config.cloze \
        else (None, [])
    blocks, models = explanation_blocks(config, progress)
    models += [_model_record(s.model, "mlp")[0] for s in sections if s.model not in {m.name for m in models}]
    if cloze:
        record = _model_record(config.cloze_model, "transformer")[0]
        models.append(replace(record, task="cloze (masked words)"))
    found = [f for section in sections for f in findings.model_audit_findings(section)]
    found += [f for audit in audits for f in findings.fairness_findings(audit)]
    found += findings.cloze_findings(cloze.result) if cloze else []
    found += [f for block in blocks for f in findings.explanation_findings(block)]
    cloze_source = (f"cloze fairness of {cloze.result.model} on MozArt; " if cloze else
                    "no cloze fairness (MozArt was not found in the shared data folder); " if config.cloze else "")
    return AuditReport(
        title=config.title,
        version=__version__,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        data_source=(f"group fairness on {fairness_source}; {cloze_source}explanations on the reference models' "
                     "test data"),
        scope=(f"This report audits whether decisions are fair across demographic groups "
               f"({count(len(audits), 'group-fairness audit')}){CLOZE_SCOPE if cloze else ''} and how "
               f"{count(len(config.models), 'model')} reach their decisions (attributions, and how far to trust "
               "them)."),
        models=models,
        findings=findings.rank(found),
        group_fairness=audits,
        cloze=cloze,
        explanations=blocks,
        methods=methods(),
        limitations=LIMITATIONS,
        provenance=Provenance(config.command, config.seed, provenance.machine(), provenance.packages(),
                              [provenance.file_record(f) for f in files + cloze_files]),
        model_audits=sections,
        ll144=ll144,
        since_last=None if config.baseline is None else _since(config.baseline, audits),
        sign_off=dict(config.sign_off),
    )
