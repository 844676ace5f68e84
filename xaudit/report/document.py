"""The audit report as typed data: what ``build.py`` assembles, ``findings.py`` judges and ``render.py`` shows.

Each section holds the typed results of the library (``FairnessResult``, ``ClozeResult``,
``Explanation``, ``EvaluationResult``); ``AuditReport.to_dict`` is the JSON written beside
the HTML, and ``AuditReport.from_dict`` reads it back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..attribution.explain import Explanation
from ..cloze.tables import ClozeResult
from ..evaluation.runner import EvaluationResult
from ..fairness.attribution_groups import AttributionByGroup
from ..fairness.counterfactual import CounterfactualResult
from ..fairness.ll144 import LL144Audit
from ..fairness.reasons import DecisionReasons
from ..fairness.result import FairnessResult
from ..schema import JsonResult, check_envelope, envelope


@dataclass(frozen=True)
class Finding:
    """One sentence of the summary, about ``subject`` (a model or an audited table)."""

    severity: str
    section: str
    subject: str
    value: float | None
    text: str


@dataclass(frozen=True)
class GroupFairnessAudit:
    """A decision table audited by one grouping (its columns, or the defined groups)."""

    title: str
    dataset: str
    grouping: list[str]
    description: str
    result: FairnessResult

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "dataset": self.dataset, "grouping": list(self.grouping),
                "description": self.description, "result": self.result.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroupFairnessAudit:
        return cls(data["title"], data["dataset"], list(data["grouping"]), data["description"],
                   FairnessResult.from_dict(data["result"]))


@dataclass(frozen=True)
class LL144Section:
    """The NYC Local Law 144 impact-ratio tables of one model's decisions (or one predictions table)."""

    title: str
    audit: LL144Audit

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "audit": self.audit.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LL144Section:
        return cls(data["title"], LL144Audit.from_dict(data["audit"]))


@dataclass(frozen=True)
class ModelAuditSection:
    """A tabular reference model's own decisions beyond the group audit: counterfactual flips per protected
    input, attribution by group (protected and proxy shares) and reasons for a few refused applicants."""

    model: str
    dataset: str
    counterfactuals: list[CounterfactualResult]
    attribution: AttributionByGroup | None
    reasons: DecisionReasons | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "dataset": self.dataset,
                "counterfactuals": [c.to_dict() for c in self.counterfactuals],
                "attribution": None if self.attribution is None else self.attribution.to_dict(),
                "reasons": None if self.reasons is None else self.reasons.to_dict(), "notes": list(self.notes)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelAuditSection:
        return cls(data["model"], data["dataset"], [CounterfactualResult.from_dict(c) for c in data["counterfactuals"]],
                   None if data["attribution"] is None else AttributionByGroup.from_dict(data["attribution"]),
                   None if data["reasons"] is None else DecisionReasons.from_dict(data["reasons"]),
                   list(data["notes"]))


@dataclass(frozen=True)
class TextTable:
    """A table as formatted text: title, corner cell, column headers, rows, a note under it."""

    title: str
    corner: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass(frozen=True)
class ClozeSection:
    description: str
    tables: list[TextTable]
    result: ClozeResult

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description, "tables": [asdict(t) for t in self.tables],
                "result": self.result.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClozeSection:
        return cls(data["description"], [TextTable(**t) for t in data["tables"]],
                   ClozeResult.from_dict(data["result"]))


@dataclass(frozen=True)
class InfluentialToken:
    token: str
    mean: float
    count: int


@dataclass(frozen=True)
class HeadAttention:
    """One example's attention per layer and head from its decision position: ``weights[layer][head][token]``."""

    tokens: list[str]
    position: int
    weights: list[list[list[float]]]


@dataclass(frozen=True)
class ExplanationSection:
    """One model's example explanations, its most influential tokens and the quality of its methods."""

    model: str
    description: str
    methods: list[str]
    explanations: list[Explanation]
    top_tokens: dict[str, list[InfluentialToken]]
    top_tokens_size: int
    top_tokens_min_count: int
    quality: EvaluationResult | None
    quality_note: str
    skipped: dict[str, str] = field(default_factory=dict)
    """Methods asked for that this model cannot support, with the reason."""
    heads: HeadAttention | None = None
    """The first example's per-head attention (text models with attention)."""

    def to_dict(self) -> dict[str, Any]:
        examples = []
        for explanation in self.explanations:
            data = explanation.to_dict()
            if not isinstance(explanation.input, str):
                data["image"] = np.asarray(explanation.input).tolist()
            examples.append(data)
        return {"model": self.model, "description": self.description, "methods": list(self.methods),
                "skipped": dict(self.skipped), "examples": examples,
                "top_tokens": {name: [asdict(row) for row in rows] for name, rows in self.top_tokens.items()},
                "top_tokens_size": self.top_tokens_size, "top_tokens_min_count": self.top_tokens_min_count,
                "quality": None if self.quality is None else self.quality.to_dict(),
                "quality_note": self.quality_note, "heads": None if self.heads is None else asdict(self.heads)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExplanationSection:
        explanations = []
        for example in data["examples"]:
            explanation = Explanation.from_dict(example)
            if example.get("image") is not None:
                explanation.input = np.asarray(example["image"], dtype=np.float32)
            explanations.append(explanation)
        return cls(data["model"], data["description"], list(data["methods"]), explanations,
                   {name: [InfluentialToken(**row) for row in rows] for name, rows in data["top_tokens"].items()},
                   data["top_tokens_size"], data["top_tokens_min_count"],
                   None if data["quality"] is None else EvaluationResult.from_dict(data["quality"]),
                   data["quality_note"], dict(data.get("skipped") or {}),
                   HeadAttention(**data["heads"]) if data.get("heads") else None)


@dataclass(frozen=True)
class ModelRecord:
    """A model the report is about, from its card, with the hash of its weights."""

    name: str
    kind: str
    task: str
    description: str
    test_accuracy: float | None
    parameters: int | None
    seed: int | None
    device: str | None
    wall_time_s: float | None
    weights_sha256: str | None
    card: dict[str, Any]


@dataclass(frozen=True)
class FileRecord:
    path: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Provenance:
    command: str
    seed: int
    machine: str
    packages: dict[str, str]
    data_files: list[FileRecord]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return cls(data["command"], data["seed"], data["machine"], dict(data["packages"]),
                   [FileRecord(**f) for f in data["data_files"]])


@dataclass(frozen=True)
class MethodText:
    """A row of the Methods section."""

    name: str
    definition: str
    reference: str


@dataclass(frozen=True)
class AuditReport(JsonResult):
    """Everything a report says, in reading order; ``to_dict`` is its JSON."""

    kind = "audit_report"

    title: str
    version: str
    generated: str
    data_source: str
    scope: str
    models: list[ModelRecord]
    findings: list[Finding]
    group_fairness: list[GroupFairnessAudit]
    cloze: ClozeSection | None
    explanations: list[ExplanationSection]
    methods: list[MethodText]
    limitations: list[str]
    provenance: Provenance
    model_audits: list[ModelAuditSection] = field(default_factory=list)
    ll144: list[LL144Section] = field(default_factory=list)
    since_last: dict[str, Any] | None = None
    """What changed since the baseline audit (``AuditDiff.to_dict()``), when one was given."""
    sign_off: dict[str, str] = field(default_factory=dict)
    """Auditor, date, scope, intended use (from the config)."""

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind) | {
            "title": self.title, "version": self.version, "generated": self.generated,
            "data_source": self.data_source, "scope": self.scope,
            "models": [asdict(m) for m in self.models],
            "findings": [asdict(f) for f in self.findings],
            "group_fairness": [a.to_dict() for a in self.group_fairness],
            "cloze": None if self.cloze is None else self.cloze.to_dict(),
            "explanations": [s.to_dict() for s in self.explanations],
            "methods": [asdict(m) for m in self.methods],
            "limitations": list(self.limitations),
            "provenance": asdict(self.provenance),
            "model_audits": [a.to_dict() for a in self.model_audits],
            "ll144": [a.to_dict() for a in self.ll144],
            "since_last_audit": self.since_last,
            "sign_off": dict(self.sign_off),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditReport:
        data = check_envelope(data, cls.kind)
        return cls(
            data["title"], data["version"], data["generated"], data["data_source"], data["scope"],
            [ModelRecord(**m) for m in data["models"]], [Finding(**f) for f in data["findings"]],
            [GroupFairnessAudit.from_dict(a) for a in data["group_fairness"]],
            None if data["cloze"] is None else ClozeSection.from_dict(data["cloze"]),
            [ExplanationSection.from_dict(s) for s in data["explanations"]],
            [MethodText(**m) for m in data["methods"]], list(data["limitations"]),
            Provenance.from_dict(data["provenance"]),
            [ModelAuditSection.from_dict(a) for a in data.get("model_audits") or []],
            [LL144Section.from_dict(a) for a in data.get("ll144") or []],
            data.get("since_last_audit"), dict(data.get("sign_off") or {}))
