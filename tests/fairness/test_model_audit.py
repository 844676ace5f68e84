"""The combined audit of a model's decisions equals its three parts run on their own."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.tabular_synthetic import synthetic_frame
from xaudit.cli import app
from xaudit.fairness import AuditSettings
from xaudit.fairness.attribution_groups import run_attribution_by_group
from xaudit.fairness.counterfactual import run_counterfactual
from xaudit.fairness.model_audit import ModelFairnessAudit, run_model_audit
from xaudit.fairness.model_decisions import run_model_fairness


@pytest.fixture
def applicants(tmp_path):
    path = tmp_path / "applicants.csv"
    synthetic_frame(400, seed=5).to_csv(path, index=False)
    return path


def test_parts_equal_the_separate_audits_and_round_trip(tiny_tabular_dir, applicants, tmp_path):
    model, settings = str(tiny_tabular_dir), AuditSettings(n_boot=100, seed=3)
    saved = tmp_path / "decisions.csv"
    audit, warnings = run_model_audit(model=model, data=applicants, counterfactual=["sex"], explain="ig",
                                      settings=settings, max_rows=120, save_predictions=saved)
    fairness, alone_warnings = run_model_fairness(model=model, data=applicants, settings=settings)
    assert audit.fairness == fairness and warnings == alone_warnings
    assert audit.counterfactuals == (run_counterfactual(model=model, data=applicants, counterfactual="sex",
                                                        settings=settings),)
    assert audit.attribution == run_attribution_by_group(model=model, data=applicants, explain="ig",
                                                         settings=settings, max_rows=120)
    assert saved.is_file() and ModelFairnessAudit.from_json(audit.to_json()) == audit
    frame = audit.to_frame()
    assert list(frame.columns[:2]) == ["part", "model"]
    assert (frame.part == "counterfactual").sum() == len(audit.counterfactuals[0].groups) + 1


def test_cli_checks_every_part_before_reading_data(tiny_tabular_dir, tmp_path):
    missing = tmp_path / "absent.csv"
    missing.write_text("x\n1\n")  # a table without the schema's columns: never read when an option is wrong
    base = ["fairness", "--model", str(tiny_tabular_dir), "--data", str(missing)]
    for extra, code, message in ((["--counterfactual", "nope"], 2, "must name a categorical input"),
                                 (["--explain", "attention"], 3, "needs attention weights")):
        refused = CliRunner().invoke(app, [*base, *extra])
        assert refused.exit_code == code and message in refused.output, refused.output


@pytest.mark.data
def test_credit_on_german_credit_with_no_other_option(data_dir, tmp_path):
    """The issue's command: the card gives label, groups and the sex counterfactual (via personal_status)."""
    german = data_dir / "german" / "german.csv"
    out = tmp_path / "audit.json"
    result = CliRunner().invoke(app, ["fairness", "--model", "credit", "--data", str(german), "--counterfactual",
                                      "sex", "--explain", "ig", "--n-boot", "50", "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    flips = payload["counterfactual"][0]
    assert (flips["attribute"], flips["grouping"]) == ("personal_status", "sex")
    assert [g["group"] for g in flips["groups"]] == [g["group"] for g in payload["group_fairness"]["groups"]]
    assert set(payload["attribution_by_group"]["protected"]) == {"personal_status", "age"}
    assert sum(g["n"] for g in flips["groups"]) == 1000


def test_chunks_give_the_same_audit_and_flips_as_the_whole_table(tiny_tabular_dir, applicants):
    """The streamed path (several chunks, status groups spread over them) equals one chunk of every row."""
    from xaudit.fairness.counterfactual import FlipTally, counterfactual_plan
    from xaudit.fairness.model_decisions import fairness_of, iter_model_decisions, plan_decisions

    plan = plan_decisions(model=str(tiny_tabular_dir), data=applicants, group_cols=["status"])
    settings = AuditSettings(n_boot=100, seed=1)
    swap = counterfactual_plan(plan, "sex")
    results = []
    for chunk_rows in (5, 10_000):  # CSV chunks are blocks of whole lines: at least 4 KiB (about 170 rows here)
        tally = FlipTally()
        chunks = list(iter_model_decisions(plan, chunk_rows=chunk_rows))
        starts = np.cumsum([0] + [len(made.inputs) for made in chunks])
        assert [int(made.decisions.rows[0]) for made in chunks] == list(starts[:-1]) and starts[-1] == 400
        assert len(chunks) > 1 if chunk_rows == 5 else len(chunks) == 1
        for made in chunks:
            tally.add(made, swap)
        results.append((fairness_of(plan, iter(chunks), (), False, settings)[0],
                        tally.result(plan, swap, (), settings)))
    (audit_chunked, flips_chunked), (audit_whole, flips_whole) = results
    assert audit_chunked == audit_whole
    for chunked, whole in zip((*flips_chunked.groups, flips_chunked.overall), (*flips_whole.groups, flips_whole.overall)):
        # float32 forward passes over other batches, summed in another order
        assert chunked.mean_score_change == pytest.approx(whole.mean_score_change, abs=1e-7)
        assert replace(chunked, mean_score_change=0) == replace(whole, mean_score_change=0)


def test_a_bad_value_is_reported_at_its_table_row_when_chunked(tiny_tabular_dir, tmp_path):
    from xaudit.errors import DataError
    from xaudit.fairness.model_decisions import iter_model_decisions, plan_decisions

    frame = synthetic_frame(100, seed=2)
    frame.loc[77, "status"] = "A19"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    plan = plan_decisions(model=str(tiny_tabular_dir), data=path)
    with pytest.raises(DataError, match="row 77"):
        list(iter_model_decisions(plan, chunk_rows=5))


def test_rows_the_model_cannot_read_are_dropped_counted_and_named_unless_strict(tiny_tabular_dir, tmp_path):
    """Not --strict: the audit (group rates, flips, attribution by group) equals the audit of the table without
    the unreadable rows, which are counted with the first one's problem; --strict fails on the first."""
    frame = synthetic_frame(400, seed=8)
    bad_rows = [3, 150, 151, 399]
    frame["age"] = frame["age"].astype(object)
    frame.loc[3, "status"] = "A19"          # unseen category
    frame.loc[150, "age"] = "forty"         # not a number
    frame.loc[151, "sex"] = None            # missing (also the group's column)
    frame.loc[399, "status"] = "A19"
    dirty, clean = tmp_path / "dirty.csv", tmp_path / "clean.csv"
    frame.to_csv(dirty, index=False)
    frame.drop(index=bad_rows).to_csv(clean, index=False)
    options = dict(model=str(tiny_tabular_dir), counterfactual=["sex"], explain="saliency",
                   settings=AuditSettings(n_boot=50, seed=3))

    dropped, warnings = run_model_audit(data=dirty, **options)
    expected, _ = run_model_audit(data=clean, **options)
    assert dropped.fairness.groups == expected.fairness.groups
    assert [c.groups for c in dropped.counterfactuals] == [c.groups for c in expected.counterfactuals]
    assert dropped.attribution.groups == expected.attribution.groups
    assert dropped.fairness.source["unreadable_rows"] == {
        "dropped": 4, "first": "column 'status', row 3: unseen category 'A19'; the model knows: A11, A12, A14"}
    assert any(w.startswith("dropped 4 rows the model cannot read (first: column 'status', row 3") for w in warnings)

    saved = tmp_path / "decisions.csv"
    run_model_fairness(model=str(tiny_tabular_dir), data=dirty, save_predictions=saved)
    assert pd.read_csv(saved)["row"].tolist() == [r for r in range(400) if r not in bad_rows]

    from xaudit.errors import DataError
    with pytest.raises(DataError, match="column 'status', row 3: unseen category"):
        run_model_audit(data=dirty, strict=True, **options)
    result = CliRunner().invoke(app, ["fairness", "--model", str(tiny_tabular_dir), "--data", str(dirty), "--strict",
                                      "-f", "json", "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 3 and "row 3: unseen category" in result.output
    assert not (tmp_path / "out.json").exists()


def test_unreadable_marks_exactly_the_rows_encode_refuses(tiny_tabular_dir):
    """The mask agrees row by row with encoding each row alone (the oracle)."""
    from xaudit.errors import DataError
    from xaudit.models import load_model

    schema = load_model(str(tiny_tabular_dir)).schema
    frame = synthetic_frame(30, seed=4).astype(object)
    frame.loc[[2, 9], "status"] = "A19"
    frame.loc[9, "age"] = "old"
    frame.loc[20, "sex"] = None
    mask, first = schema.unreadable(frame, first_row=100)

    def refused(row: int) -> bool:
        try:
            schema.encode(frame.iloc[[row]])
        except DataError:
            return True
        return False

    assert mask.tolist() == [refused(row) for row in range(30)]
    assert first == "column 'status', row 102: unseen category 'A19'; the model knows: A11, A12, A14"
