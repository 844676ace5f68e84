"""The report's section on a tabular model's own decisions: counterfactual findings worded from the counts,
the section's round trip and its rendering (tiny tabular model; no shared data needed)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tests.tabular_synthetic import synthetic_frame
from xaudit.fairness import AuditSettings
from xaudit.fairness.counterfactual import CounterfactualResult, flip_rows
from xaudit.report import model_audits
from xaudit.report.document import AuditReport, ModelAuditSection
from xaudit.report.findings import model_audit_findings, rank


def flips(cells: dict[str, list[int]]) -> CounterfactualResult:
    settings = AuditSettings(n_boot=0)
    groups, overall = flip_rows(list(cells), np.array(list(cells.values())), np.zeros(len(cells)), settings)
    return CounterfactualResult("credit", "sex", {"a": "b", "b": "a"}, 0.5, groups, overall,
                                {"confidence": 0.95}, {})


def test_significant_flips_are_high_and_worded_from_the_counts():
    section = ModelAuditSection("credit", "german.csv", [flips({"female": [250, 30, 0, 30], "male": [600, 1, 0, 89],
                                                               "other": [10, 0, 0, 10]})], None, None)
    found = model_audit_findings(section)
    assert [f.severity for f in found] == ["high", "info"]  # no flips: no finding
    assert f"{30 / 310:.1%} of female applicants' decisions change when only sex changes (30 of 310" in found[0].text
    assert found[0].value == pytest.approx(30 / 310)
    assert "not significant" in found[1].text and f"{1 / 690:.1%} of male" in found[1].text
    assert rank(found)[0] is found[0]


@pytest.fixture
def tiny_sections(tiny_tabular_dir, tmp_path, monkeypatch):
    path = tmp_path / "applicants.csv"
    synthetic_frame(200, seed=4).to_csv(path, index=False)
    monkeypatch.setitem(model_audits.MODELS, str(tiny_tabular_dir), ("gender",))
    return model_audits.audits({str(tiny_tabular_dir): path}, AuditSettings(n_boot=50), seed=0)


def test_section_holds_typed_results_that_read_back(tiny_sections):
    group_audits, (section,) = tiny_sections
    assert [a.grouping for a in group_audits] == [["gender"]]
    assert [c.attribute for c in section.counterfactuals] == ["sex"]  # two categories; age is numeric
    assert any("no counterfactual for age" in note for note in section.notes)
    assert section.attribution.settings["rows_explained"] == 200
    assert all(r.score < section.reasons.threshold for r in section.reasons.refusals)
    assert ModelAuditSection.from_dict(section.to_dict()) == section


def test_the_report_renders_the_section_escaped(tiny_sections, hostile_report):
    from xaudit.report.render import render_html

    _, (section,) = tiny_sections
    report = replace(AuditReport.from_dict(hostile_report[1]), model_audits=[section])
    assert AuditReport.from_dict(report.to_dict()).to_dict() == report.to_dict()
    html = render_html(report)
    assert "counterfactual flips, attribution by group, reasons for refusals" in html
    flip = section.counterfactuals[0].overall
    assert f"<td>{flip.flip_rate:.3f}" in html and "protected share" in html
    first = section.reasons.refusals[0].reasons[0]
    assert f"{first.feature} = {first.value} ({first.attribution:.3f})" in html
    assert "<script" not in html.replace('<script type="application/json" id="xaudit-data">', "")


def test_the_report_renders_the_ll144_tables(tiny_tabular_dir, tmp_path, monkeypatch, hostile_report):
    from xaudit.report.render import render_html

    path = tmp_path / "people.csv"
    synthetic_frame(300, seed=6).to_csv(path, index=False)
    monkeypatch.setitem(model_audits.LL144_MODELS, str(tiny_tabular_dir), ("gender", "status"))
    monkeypatch.delitem(model_audits.LL144_MODELS, "income")
    (section,) = model_audits.ll144_sections({str(tiny_tabular_dir): path})
    report = replace(AuditReport.from_dict(hostile_report[1]), ll144=[section])
    assert AuditReport.from_dict(report.to_dict()).to_dict() == report.to_dict()
    html = render_html(report)
    assert "NYC Local Law 144 bias audit" in html and "6 RCNY § 5-300" in html and "§ 5-301" in html
    intersectional = section.audit.tables[2]
    assert intersectional.unknown == 0 and sum(c.n for c in intersectional.categories) == 300
    assert f"intersectional (gender × status): 0 of unknown category; impact ratios against {intersectional.highest}" \
        in html
    for category in intersectional.categories:
        assert f"<td>{category.category}</td><td>{category.n}</td>" in html
