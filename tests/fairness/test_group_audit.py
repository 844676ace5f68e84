"""The audit: reference group, flags, tests against the reference, JSON shape, gates, example data."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from xaudit.errors import ParameterError
from xaudit.fairness import AuditSettings, GroupCounts, count_arrays, group_fairness
from xaudit.fairness.result import SUMMARY_NAMES
from xaudit.fairness.significance import SMALL_EXPECTED, compare_to_reference, holm, two_proportion_p
from xaudit.datasets.synthetic_credit import credit_decisions, planted_rates
from xaudit.fairness.thresholds import breaches, parse_conditions

NO_BOOT = AuditSettings(n_boot=0)


def _counts(**groups: list[int]) -> GroupCounts:
    """Groups from (tn, fp, fn, tp)."""
    return GroupCounts(tuple(groups), np.array(list(groups.values())))


def test_reference_is_highest_selection_rate_among_groups_large_enough():
    counts = _counts(big_low=[410, 100, 100, 400], big_high=[200, 300, 50, 450], tiny_top=[0, 5, 0, 5])
    assert group_fairness(counts, NO_BOOT).reference_group == "big_high"  # tiny_top is too small to judge
    assert group_fairness(counts, AuditSettings(n_boot=0, reference="largest")).reference_group == "big_low"
    named = group_fairness(counts, AuditSettings(n_boot=0, reference="big_low"))
    assert named.reference_group == "big_low" and named.reference_rule == "named group"
    assert named.parity["statistical_parity"].impact_ratio["big_low"] == 1.0
    assert named.parity["statistical_parity"].impact_ratio["big_high"] == pytest.approx(0.75 / (500 / 1010))
    with pytest.raises(ParameterError, match="unknown reference 'nobody'; choose one of: big_high, big_low, "
                                             "highest, largest, tiny_top"):
        group_fairness(counts, AuditSettings(reference="nobody"))


def test_small_groups_are_flagged_but_reported():
    counts = _counts(a=[1000, 500, 500, 1000], b=[10, 5, 5, 9], c=[30, 10, 10, 10])
    result = group_fairness(counts, NO_BOOT)
    flags = {row.group: row.too_small for row in result.groups}
    assert flags == {"a": False, "b": True, "c": True}  # b: 29 rows; c: 60 rows but 1.9% of the data
    assert [row.group for row in result.groups] == ["a", "b", "c"]
    relaxed = group_fairness(counts, AuditSettings(n_boot=0, min_rows=20, min_share=0.005))
    assert not any(row.too_small for row in relaxed.groups)


def test_four_fifths_threshold_is_configurable():
    counts = _counts(a=[50, 50, 50, 50], b=[70, 30, 40, 60])  # selection 0.5 and 0.45: impact ratio 0.9
    assert group_fairness(counts, NO_BOOT).parity["statistical_parity"].below_four_fifths == []
    strict = group_fairness(counts, AuditSettings(n_boot=0, four_fifths=0.95))
    assert strict.parity["statistical_parity"].below_four_fifths == ["b"]
    assert strict.parity["statistical_parity"].worst_impact_ratio == pytest.approx(0.9)
    with pytest.raises(ParameterError, match=r"The 'four_fifths' parameter must be a number > 0 and <= 1\. "
                                             r"Got 1\.5 instead\."):
        AuditSettings(four_fifths=1.5)
    with pytest.raises(ParameterError, match="The 'n_boot' parameter must be an int >= 0"):
        AuditSettings(n_boot=-1)


def test_z_test_equals_the_textbook_formula_and_fisher_is_used_for_small_tables():
    test, p = two_proportion_p(120, 400, 90, 410)
    pooled = 210 / 810
    z = (120 / 400 - 90 / 410) / math.sqrt(pooled * (1 - pooled) * (1 / 400 + 1 / 410))
    assert test == "z" and p == pytest.approx(2 * (1 - stats.norm.cdf(abs(z))), rel=1e-9)
    test, p = two_proportion_p(1, 20, 6, 25)  # smallest expected count 20·7/45 < 5
    assert 20 * 7 / 45 < SMALL_EXPECTED
    assert test == "fisher" and p == pytest.approx(stats.fisher_exact([[1, 19], [6, 19]]).pvalue)


def test_holm_adjustment_by_hand():
    adjusted = holm(np.array([0.01, 0.04, np.nan, 0.03, 0.005]))
    # sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 -> max(0.06, 0.04) = 0.06
    np.testing.assert_allclose(adjusted, [0.03, 0.06, np.nan, 0.06, 0.02])
    assert holm(np.array([0.9, 0.8]))[0] == 1.0


def test_tests_against_the_reference():
    tests = compare_to_reference(np.array([50, 80, 0]), np.array([100, 100, 0]), reference=1, alpha=0.05)
    assert tests[1] is None and tests[2] is None  # the reference itself; no trials
    assert tests[0].test == "z" and tests[0].significant and tests[0].p_holm == tests[0].p_value


def test_json_shape_has_what_the_issue_asks_for():
    data = credit_decisions(3000, seed=1)
    payload = json.loads(group_fairness(count_arrays(data.repaid, data.approved, data.sex),
                                        AuditSettings(n_boot=100)).to_json())
    assert payload["schema_version"] == 1
    for group in payload["groups"]:
        assert {"group", "n", "selection_rate", "tpr", "fpr", "accuracy", "intervals"} <= group.keys()
        assert set(group["intervals"]) >= {"selection_rate", "tpr", "fpr", "accuracy"}
    for key in ("statistical_parity", "performance_parity", "accuracy_equality"):
        parity = payload["parity"][key]
        assert {"difference", "ratio", "worst_group", "impact_ratio"} <= parity.keys()
        assert set(parity["impact_ratio"]) == {"female", "male"}
    assert payload["parity"]["statistical_parity"]["worst_group"] == "female"


def test_conditions_and_breaches():
    conditions = parse_conditions(["statistical_parity_ratio<0.8, accuracy_equality_difference>=0.1",
                                   "equalized_odds_ratio <= 0.5"], SUMMARY_NAMES)
    assert [str(c) for c in conditions] == ["statistical_parity_ratio<0.8", "accuracy_equality_difference>=0.1",
                                            "equalized_odds_ratio<=0.5"]
    values = {"statistical_parity_ratio": 0.62, "accuracy_equality_difference": 0.05,
              "equalized_odds_ratio": math.nan}
    assert breaches(conditions, values) == [
        "statistical_parity_ratio = 0.62 (< 0.8)",
        "equalized_odds_ratio is undefined, so equalized_odds_ratio<=0.5 cannot be shown to pass"]
    with pytest.raises(ParameterError, match="unknown metric 'parity_ratio'; choose one of: accuracy_equality_"):
        parse_conditions(["parity_ratio<0.8"], SUMMARY_NAMES)
    for bad in ("statistical_parity_ratio", "statistical_parity_ratio<x", "statistical_parity_ratio=0.8"):
        with pytest.raises(ParameterError, match="cannot read the condition"):
            parse_conditions([bad], SUMMARY_NAMES)


def test_summary_names_are_the_documented_ones():
    data = credit_decisions(2000)
    result = group_fairness(count_arrays(data.repaid, data.approved, data.sex), NO_BOOT)
    assert tuple(result.summary()) == SUMMARY_NAMES
    assert result.summary()["statistical_parity_ratio"] == result.parity["statistical_parity"].ratio


def test_synthetic_credit_recovers_the_planted_rates():
    data = credit_decisions(40_000, seed=2)
    result = group_fairness(count_arrays(data.repaid, data.approved, data[["sex", "age_group"]]), NO_BOOT)
    for row in result.groups:
        sex, age = row.group.split("/")
        planted = planted_rates(sex, age)
        for rate in ("selection_rate", "tpr", "fpr", "accuracy", "base_rate"):
            denominator = row.n if rate in ("selection_rate", "accuracy", "base_rate") else row.n * (
                0.7 if rate == "tpr" else 0.3)
            standard_error = math.sqrt(planted[rate] * (1 - planted[rate]) / denominator)
            assert abs(row.rates[rate] - planted[rate]) < 4 * standard_error, (row.group, rate)
    by_sex = group_fairness(count_arrays(data.repaid, data.approved, data.sex), NO_BOOT)
    expected_ratio = planted_rates("female")["selection_rate"] / planted_rates("male")["selection_rate"]
    assert expected_ratio == pytest.approx(0.667, abs=0.001)
    assert by_sex.parity["statistical_parity"].ratio == pytest.approx(expected_ratio, abs=0.02)
    assert by_sex.parity["statistical_parity"].below_four_fifths == ["female"]


def test_synthetic_credit_without_penalty_is_not_flagged():
    data = credit_decisions(40_000, seed=3, penalty={})
    result = group_fairness(count_arrays(data.repaid, data.approved, data.sex), AuditSettings(n_boot=200))
    assert result.parity["statistical_parity"].below_four_fifths == []
    parity = result.parity["statistical_parity"]
    other = next(row.group for row in result.groups if row.group != result.reference_group)
    low, high = parity.difference_to_reference_interval[other]
    assert low < 0 < high and parity.difference < 0.02  # no planted gap: the interval covers none
    assert credit_decisions(50, seed=9).equals(credit_decisions(50, seed=9))


def test_largest_rule_takes_the_group_with_most_rows_wherever_it_is_listed():
    counts = _counts(small=[40, 10, 10, 40], big=[200, 50, 150, 100])  # 100 and 500 rows
    assert group_fairness(counts, AuditSettings(n_boot=0, reference="largest")).reference_group == "big"
    assert group_fairness(counts, NO_BOOT).reference_group == "small"  # selection 0.5 against 0.3


def test_overall_row_pools_the_groups_with_wilson_intervals_at_the_confidence():
    """Cells (tn, fp, fn, tp) a = (50, 20, 10, 20), b = (60, 10, 10, 20): pooled (110, 30, 20, 40), 200 rows;
    intervals against statsmodels' Wilson interval at 90%."""
    from statsmodels.stats.proportion import proportion_confint

    counts = _counts(a=[50, 20, 10, 20], b=[60, 10, 10, 20])
    result = group_fairness(counts, AuditSettings(n_boot=0, confidence=0.9), source={"path": "p.csv"})
    overall = result.overall
    assert (overall.group, overall.n, overall.share, overall.too_small, overall.tests) == (
        "overall", 200, 1.0, False, None)
    assert overall.counts == {"tp": 40, "fp": 30, "tn": 110, "fn": 20}
    by_hand = {"base_rate": (60, 200), "selection_rate": (70, 200), "tpr": (40, 60), "fpr": (30, 140),
               "accuracy": (150, 200), "ppv": (40, 70)}
    assert overall.rates == pytest.approx({rate: s / n for rate, (s, n) in by_hand.items()}, abs=1e-15)
    for rate, (successes, trials) in by_hand.items():
        assert overall.intervals[rate] == pytest.approx(
            proportion_confint(successes, trials, alpha=0.1, method="wilson"), abs=1e-12), rate
    b = result.group("b")
    assert b.intervals["tpr"] == pytest.approx(proportion_confint(20, 30, alpha=0.1, method="wilson"), abs=1e-12)
    assert result.source == {"path": "p.csv"} and result.settings["alpha"] == pytest.approx(0.1)
    assert result.settings["confidence"] == 0.9 and result.settings["reference"] == "highest"


def test_score_metrics_of_the_audit_use_its_confidence(predictions, tmp_path):
    from xaudit.fairness import Grouping, PredictionColumns, load_predictions

    path = tmp_path / "p.csv"
    predictions.to_csv(path, index=False)
    loaded = load_predictions(path, PredictionColumns(label="y", score="score", threshold=0.5), Grouping(("g",)))
    sweeps = {confidence: group_fairness(loaded.counts, AuditSettings(n_boot=0, confidence=confidence),
                                         scores=loaded.scores).scores.sweep for confidence in (0.8, 0.99)}
    narrow, wide = (np.array(sweeps[c].impact_ratio_interval, dtype=float) for c in (0.8, 0.99))
    defined = ~np.isnan(narrow).any(axis=1) & ~np.isnan(wide).any(axis=1)
    assert defined.sum() > 10 and sweeps[0.8].judged == ["a", "b", "c"]  # d: 3% of 600 rows, too small
    assert (narrow[defined, 0] >= wide[defined, 0]).all() and (narrow[defined, 1] <= wide[defined, 1]).all()
    assert (narrow[defined, 1] - narrow[defined, 0] < wide[defined, 1] - wide[defined, 0]).all()
