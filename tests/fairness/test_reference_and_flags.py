"""The reference rule as applied, the direction of every rate, flags between any two groups, and tables
that fit 100–120 columns; against fairlearn's per-group rates and hand counts (cells: tn, fp, fn, tp)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate
from rich.console import Console
from sklearn.metrics import accuracy_score

from xaudit.fairness import (AuditSettings, GroupCounts, Grouping, PredictionColumns, group_fairness,
                             load_predictions)
from xaudit.fairness.metrics import PARITY, RATES
from xaudit.fairness.result import FairnessResult
from xaudit.render.fairness_terminal import fairness_tables
from xaudit.report.document import GroupFairnessAudit, Provenance, AuditReport
from xaudit.report.findings import fairness_findings
from xaudit.report.render import render_html

NO_BOOT = AuditSettings(n_boot=0)
ADULT_GROUPS = ("Female/Amer-Indian-Eskimo", "Female/Asian-Pac-Islander", "Female/Black", "Female/Other",
                "Female/White", "Male/Amer-Indian-Eskimo", "Male/Asian-Pac-Islander", "Male/Black", "Male/Other",
                "Male/White")


def rows_of(counts: GroupCounts) -> pd.DataFrame:
    """The rows the counts stand for (y, ŷ, group), for fairlearn."""
    frames = []
    for name, (tn, fp, fn, tp) in zip(counts.groups, counts.cells):
        y = [0] * (tn + fp) + [1] * (fn + tp)
        yhat = [0] * tn + [1] * fp + [0] * fn + [1] * tp
        frames.append(pd.DataFrame({"y": y, "yhat": yhat, "g": name}))
    return pd.concat(frames, ignore_index=True)


def test_highest_rule_names_the_small_groups_it_passed_over():
    # selection rates by hand: big 40/100 = 0.4, other 30/100 = 0.3, tiny 8/10 = 0.8 (10 rows < 30: too small)
    counts = GroupCounts(("big", "other", "tiny"), np.array([[50, 20, 10, 20], [60, 10, 10, 20], [1, 3, 1, 5]]))
    result = group_fairness(counts, NO_BOOT)
    assert result.reference_group == "big"
    assert result.reference_rule == ("highest selection rate among the groups large enough to judge; passed over "
                                     "as too small, though higher: tiny (0.800, n = 10)")
    text = _terminal(result, 120)
    assert "Reference group: big (highest selection rate among the groups large enough to judge; passed over as " \
        "too small, though higher: tiny (0.800, n = 10))." in " ".join(text.split())


def test_reference_rule_when_nothing_is_passed_over_or_every_group_is_small():
    counts = GroupCounts(("a", "b"), np.array([[50, 20, 10, 20], [60, 10, 10, 20]]))
    assert group_fairness(counts, NO_BOOT).reference_rule == \
        "highest selection rate among the groups large enough to judge"
    small = GroupCounts(("a", "b"), np.array([[5, 2, 1, 2], [6, 1, 1, 2]]))
    assert group_fairness(small, NO_BOOT).reference_rule == \
        "highest selection rate (every group is too small to judge, so every group was eligible)"
    assert group_fairness(counts, AuditSettings(n_boot=0, reference="largest")).reference_rule == "largest group"


@pytest.mark.parametrize("seed", range(5))
def test_worst_off_group_is_fairlearns_lowest_on_every_criterion(seed):
    rng = np.random.default_rng(seed)
    counts = GroupCounts(("a", "b", "c", "d"), rng.integers(5, 60, size=(4, 4)))
    result = group_fairness(counts, NO_BOOT)
    rows = rows_of(counts)
    frame = MetricFrame(metrics={"selection_rate": selection_rate, "tpr": true_positive_rate,
                                 "fpr": false_positive_rate, "accuracy": accuracy_score},
                        y_true=rows.y, y_pred=rows.yhat, sensitive_features=rows.g)
    for measure in PARITY:
        assert result.parity[measure.key].worst_group == frame.by_group[measure.rate].idxmin(), measure.key
        assert result.parity[measure.key].worst_value == pytest.approx(frame.by_group[measure.rate].min(), abs=1e-12)


def test_fpr_states_its_direction_and_why_four_fifths_is_not_applied():
    counts = GroupCounts(("a", "b"), np.array([[90, 10, 10, 40], [95, 5, 10, 40]]))
    result = group_fairness(counts, NO_BOOT)
    fpr = result.parity["predictive_equality"]
    assert fpr.worst_group == "b"  # FPR 0.05 < 0.10: b's y=0 rows get the favourable decision less often
    assert fpr.below_four_fifths is None and "29 CFR 1607.4(D)" in fpr.four_fifths_reason
    assert FairnessResult.from_dict(result.to_dict()).parity["predictive_equality"] == fpr
    text = " ".join(_terminal(result, 120).split())
    assert f"Four-fifths rule on the FPR: not applied: {fpr.four_fifths_reason}." in text
    assert f"FPR: {RATES['fpr'].direction}" in text and "worst-off group has the lowest rate" in text


def accuracy_counts() -> GroupCounts:
    """ref: the highest selection rate (60/100), accuracy 74/100; hi: accuracy 90/100; lo: accuracy 60/100,
    so lo/ref = 0.811 (not flagged against the reference) but lo/hi = 0.667; tiny (20 rows): accuracy 2/20."""
    return GroupCounts(("ref", "hi", "lo", "tiny"), np.array([
        [27, 13, 13, 47],   # selection 60/100, accuracy 74/100
        [45, 5, 5, 45],     # selection 50/100, accuracy 90/100
        [40, 20, 20, 20],   # selection 40/100, accuracy 60/100
        [1, 9, 9, 1],       # selection 10/20, accuracy 2/20
    ]))


def test_two_groups_other_than_the_reference_are_compared():
    result = group_fairness(accuracy_counts(), NO_BOOT)
    accuracy = result.parity["accuracy_equality"]
    assert result.reference_group == "ref" and accuracy.below_four_fifths == ["tiny"]
    pair = accuracy.between_groups
    assert (pair.lowest, pair.highest) == ("lo", "hi")  # tiny is too small to judge, so it is left out
    assert pair.ratio == pytest.approx(0.60 / 0.90) and pair.below_four_fifths
    assert accuracy.between_flag("ref") == pair
    assert FairnessResult.from_dict(result.to_dict()).parity["accuracy_equality"].between_groups == pair
    assert "Between groups (accuracy): lo has 0.667 of hi's rate, below four-fifths" in \
        " ".join(_terminal(result, 120).split())
    audit = GroupFairnessAudit("t", "d", ["g"], "", result)
    texts = [f.text for f in fairness_findings(audit) if f.severity == "medium"]
    assert any("lo's accuracy is 0.67 of hi's" in text for text in texts)


def test_a_between_groups_pair_with_the_reference_on_top_is_not_repeated():
    result = group_fairness(accuracy_counts(), NO_BOOT)
    statistical = result.parity["statistical_parity"]
    assert statistical.between_groups.highest == "ref" and statistical.between_flag("ref") is None


def adult_like() -> FairnessResult:
    rng = np.random.default_rng(1)
    cells = rng.integers(40, 900, size=(len(ADULT_GROUPS), 4))
    return group_fairness(GroupCounts(ADULT_GROUPS, cells), NO_BOOT)


def _terminal(result: FairnessResult, width: int) -> str:
    console = Console(width=width, record=True)
    for renderable in fairness_tables(result):
        console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize("width", [100, 110, 120])
def test_tables_fit_without_cutting_names_or_headers(width):
    result = adult_like()
    text = _terminal(result, width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert "…" not in text
    words = set(text.split())
    assert set(ADULT_GROUPS) <= words  # every name whole, never folded
    for header in ("PPV", "TPR", "FPR", "accuracy", "detectable", "four-fifths"):
        assert header in words, header
    for name in set(ADULT_GROUPS) - {result.reference_group}:  # a row per criterion of the gap table, and the rates
        assert sum(name in line.split()[:2] for line in lines) >= len(PARITY) + 1, name


def test_html_states_the_fpr_reason_and_the_between_groups_flag(tmp_path):
    result = group_fairness(accuracy_counts(), NO_BOOT)
    report = AuditReport("t", "0", "now", "d", "s", [], [], [GroupFairnessAudit("<b>t</b>", "d", ["g"], "", result)],
                         None, [], [], [], Provenance("c", 0, "m", {}, []))
    html = render_html(report)
    assert "not applied: the four-fifths rule (29 CFR 1607.4(D))" in html
    assert "between groups: lo has 0.667 of hi's rate" in html
    assert str(escape(RATES["fpr"].direction)) in html and "<b>t</b>" not in html


def test_a_zero_highest_rate_leaves_the_between_groups_ratio_undefined_in_strict_json():
    # accuracy of both groups 0 (every decision wrong): lowest / highest = 0 / 0
    result = group_fairness(GroupCounts(("a", "b"), np.array([[0, 40, 40, 0], [0, 50, 50, 0]])), NO_BOOT)
    pair = result.parity["accuracy_equality"].between_groups
    assert np.isnan(pair.ratio) and not pair.below_four_fifths
    text = result.to_json()
    assert "NaN" not in text and FairnessResult.from_json(text).parity["accuracy_equality"].between_groups.lowest == "a"


def test_the_score_table_fits_too(predictions, tmp_path):
    long = {"a": "Female/Amer-Indian-Eskimo", "b": "Female/Asian-Pac-Islander", "c": "Male/Asian-Pac-Islander",
            "d": "Male/Amer-Indian-Eskimo"}
    path = tmp_path / "p.csv"
    predictions.assign(g=predictions.g.map(long)).to_csv(path, index=False)
    loaded = load_predictions(path, PredictionColumns(label="y", score="score", threshold=0.5), Grouping(("g",)))
    result = group_fairness(loaded.counts, AuditSettings(n_boot=20), scores=loaded.scores)
    for width in (80, 100):
        text = _terminal(result, width)
        assert "…" not in text and max(len(line) for line in text.splitlines()) <= width
        assert {"AUC", "ECE", "Brier", *long.values()} <= set(text.split())


def test_highest_rule_without_a_defined_selection_rate_is_refused():
    from xaudit.errors import DataError
    from xaudit.fairness.audit import choose_reference

    rates, n = np.array([np.nan, np.nan]), np.array([0, 0])
    with pytest.raises(DataError, match="^no group has a defined selection rate to serve as the reference$"):
        choose_reference("highest", ("a", "b"), rates, n, np.array([False, False]))


def test_only_small_groups_with_a_strictly_higher_rate_are_named_as_passed_over():
    # selection by hand: big 40/100, other 30/100, tie 4/10 (equal to big's), hi1 8/10, hi2 6/10 (10 rows: too small)
    counts = GroupCounts(("big", "other", "tie", "hi1", "hi2"), np.array([
        [50, 20, 10, 20], [60, 10, 10, 20], [5, 2, 1, 2], [1, 3, 1, 5], [3, 2, 1, 4]]))
    result = group_fairness(counts, AuditSettings(n_boot=0, min_share=0))
    assert result.reference_group == "big"
    assert result.reference_rule == ("highest selection rate among the groups large enough to judge; passed over "
                                     "as too small, though higher: hi1 (0.800, n = 10), hi2 (0.600, n = 10)")


def test_a_ratio_exactly_at_the_threshold_is_not_below_it():
    # selection 50/100 and 25/100: impact ratio and between-groups ratio exactly 0.5
    counts = GroupCounts(("a", "b"), np.array([[40, 10, 10, 40], [60, 15, 15, 10]]))
    at = group_fairness(counts, AuditSettings(n_boot=0, four_fifths=0.5)).parity["statistical_parity"]
    assert at.impact_ratio["b"] == 0.5 and at.between_groups.ratio == 0.5
    assert at.below_four_fifths == [] and not at.between_groups.below_four_fifths
    above = group_fairness(counts, AuditSettings(n_boot=0, four_fifths=0.51)).parity["statistical_parity"]
    assert above.below_four_fifths == ["b"] and above.between_groups.below_four_fifths


def test_each_parity_row_carries_its_criterion_and_no_rule_where_four_fifths_does_not_apply():
    result = group_fairness(accuracy_counts(), NO_BOOT)
    for measure in PARITY:
        row = result.parity[measure.key]
        assert (row.key, row.rate, row.definition, row.higher_is_better) == (
            measure.key, measure.rate, measure.definition, measure.higher_is_better)
        applies = measure.four_fifths is None
        assert (row.below_four_fifths is not None, row.between_groups is not None) == (applies, applies), measure.key
