"""Rates, differences and ratios equal fairlearn's (to 1e-12), and hand-computed masks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from xaudit.fairness import AuditSettings, GroupCounts, count_arrays, group_fairness
from xaudit.render.fairness_terminal import fairness_tables

SHARED = ("selection_rate", "tpr", "fpr", "accuracy")
PARITY_OF = {"statistical_parity": "selection_rate", "performance_parity": "tpr", "predictive_equality": "fpr",
             "accuracy_equality": "accuracy"}
NO_BOOT = AuditSettings(n_boot=0)


@st.composite
def labelled(draw):
    n = draw(st.integers(min_value=2, max_value=300))  # fairlearn cannot take one row
    groups = draw(st.lists(st.sampled_from("pqrst"), min_size=n, max_size=n))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    y_hat = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    return np.array(y), np.array(y_hat), np.array(groups)


def _denominator(row, rate: str) -> int:
    return {"selection_rate": row.n, "accuracy": row.n, "tpr": row.counts["tp"] + row.counts["fn"],
            "fpr": row.counts["fp"] + row.counts["tn"]}[rate]


@settings(max_examples=60, deadline=None)
@given(data=labelled())
def test_rates_and_gaps_equal_fairlearn(data, fairlearn):
    y, y_hat, groups = data
    result = group_fairness(count_arrays(y, y_hat, groups), NO_BOOT)
    frame = fairlearn(y, y_hat, groups).by_group
    defined = {}
    for row in result.groups:
        for rate in SHARED:
            ours = row.rates[rate]
            if _denominator(row, rate) == 0:
                assert math.isnan(ours)  # undefined, where fairlearn reports 0
            else:
                assert ours == pytest.approx(frame.loc[row.group, rate], abs=1e-12)
                defined.setdefault(rate, []).append(row.group)
    for key, rate in PARITY_OF.items():
        among = frame.loc[defined.get(rate, []), rate]
        parity = result.parity[key]
        if among.empty:
            assert math.isnan(parity.difference) and math.isnan(parity.ratio)
            continue
        # fairlearn's MetricFrame.difference() / .ratio(): max - min and min / max
        assert parity.difference == pytest.approx(among.max() - among.min(), abs=1e-12)
        if among.max() > 0:
            assert parity.ratio == pytest.approx(among.min() / among.max(), abs=1e-12)
        else:
            assert math.isnan(parity.ratio)


@settings(max_examples=40, deadline=None)
@given(data=labelled())
def test_whole_frame_gaps_equal_fairlearn_when_every_rate_is_defined(data, fairlearn):
    y, y_hat, groups = data
    counts = count_arrays(y, y_hat, groups)
    if (counts["tp"] + counts["fn"] == 0).any() or (counts["fp"] + counts["tn"] == 0).any():
        return  # fairlearn counts an undefined TPR/FPR as 0; compared group by group above
    result = group_fairness(counts, NO_BOOT)
    frame = fairlearn(y, y_hat, groups)
    for key, rate in PARITY_OF.items():
        assert result.parity[key].difference == pytest.approx(frame.difference()[rate], abs=1e-12)
        assert result.parity[key].ratio == pytest.approx(frame.ratio()[rate], abs=1e-12, nan_ok=True)
    statistical = result.parity["statistical_parity"]
    assert statistical.difference == pytest.approx(
        demographic_parity_difference(y, y_hat, sensitive_features=groups), abs=1e-12)
    assert statistical.ratio == pytest.approx(
        demographic_parity_ratio(y, y_hat, sensitive_features=groups), abs=1e-12, nan_ok=True)
    assert result.equalized_odds.difference == pytest.approx(
        equalized_odds_difference(y, y_hat, sensitive_features=groups), abs=1e-12)
    if not (math.isnan(result.parity["performance_parity"].ratio)
            or math.isnan(result.parity["predictive_equality"].ratio)):
        # fairlearn takes Python's min() of the two ratios, which is NaN only when the TPR ratio
        # is; xaudit skips whichever is undefined (documented in metrics.equalized_odds)
        assert result.equalized_odds.ratio == pytest.approx(
            equalized_odds_ratio(y, y_hat, sensitive_features=groups), abs=1e-12)


def test_overall_rates_equal_fairlearn_overall(predictions, fairlearn):
    result = group_fairness(count_arrays(predictions.y, predictions.yhat, predictions.g), NO_BOOT)
    overall = fairlearn(predictions.y, predictions.yhat, predictions.g).overall
    for rate in SHARED:
        assert result.overall.rates[rate] == pytest.approx(overall[rate], abs=1e-12)


def test_intersectional_groups_equal_hand_computed_masks(predictions, fairlearn):
    result = group_fairness(count_arrays(predictions.y, predictions.yhat, predictions[["g", "race"]]), NO_BOOT)
    y, y_hat = predictions.y.to_numpy(), predictions.yhat.to_numpy()
    expected_names = sorted(f"{g}/{r}" for g, r in set(zip(predictions.g, predictions.race)))
    assert [row.group for row in result.groups] == expected_names
    for row in result.groups:
        g, r = row.group.split("/")
        mask = (predictions.g == g).to_numpy() & (predictions.race == r).to_numpy()
        assert row.n == mask.sum()
        assert row.rates["selection_rate"] == pytest.approx(y_hat[mask].mean(), abs=1e-12)
        assert row.rates["tpr"] == pytest.approx(y_hat[mask & (y == 1)].mean(), abs=1e-12)
        assert row.rates["fpr"] == pytest.approx(y_hat[mask & (y == 0)].mean(), abs=1e-12)
        assert row.rates["accuracy"] == pytest.approx((y_hat[mask] == y[mask]).mean(), abs=1e-12)
        assert row.rates["ppv"] == pytest.approx(y[mask & (y_hat == 1)].mean(), abs=1e-12)
        assert row.rates["base_rate"] == pytest.approx(y[mask].mean(), abs=1e-12)
    by_group = fairlearn(y, y_hat, predictions[["g", "race"]]).by_group
    for row in result.groups:
        assert row.rates["tpr"] == pytest.approx(by_group.loc[tuple(row.group.split("/")), "tpr"], abs=1e-12)


def test_group_without_positives_has_undefined_tpr_not_zero():
    y = np.array([0, 0, 0, 1, 1, 0, 1, 0])
    y_hat = np.array([1, 0, 0, 1, 0, 0, 1, 1])
    groups = np.array(["none", "none", "none", "some", "some", "some", "some", "some"])
    result = group_fairness(count_arrays(y, y_hat, groups), AuditSettings(n_boot=50))
    assert math.isnan(result.group("none").rates["tpr"])
    assert result.group("none").rates["fpr"] == pytest.approx(1 / 3)
    payload = json.loads(result.to_json())
    none = next(g for g in payload["groups"] if g["group"] == "none")
    assert none["tpr"] is None and none["intervals"]["tpr"] == [None, None]
    assert none["tests"]["tpr"] is None
    # the gaps are taken over the groups where the TPR is defined (only one here)
    assert payload["parity"]["performance_parity"]["difference"] == 0.0
    assert payload["parity"]["performance_parity"]["worst_group"] == "some"
    from rich.console import Console

    console = Console(width=200, record=True)
    for renderable in fairness_tables(result):
        console.print(renderable)
    assert "undefined" in console.export_text()


def test_worst_off_group_has_the_lowest_rate_fpr_included():
    """ŷ=1 is favourable, so the group with the highest FPR benefits: the worst-off group has the lowest."""
    counts = GroupCounts(("a", "b", "c"), np.array([[50, 10, 10, 30], [40, 20, 20, 20], [45, 5, 25, 25]]))
    result = group_fairness(counts, NO_BOOT)
    selection = {row.group: row.rates["selection_rate"] for row in result.groups}
    fpr = {row.group: row.rates["fpr"] for row in result.groups}
    assert result.parity["statistical_parity"].worst_group == min(selection, key=selection.get)
    assert result.parity["predictive_equality"].worst_group == min(fpr, key=fpr.get) == "c"
    assert result.parity["predictive_equality"].below_four_fifths is None
    assert "29 CFR 1607.4(D)" in result.parity["predictive_equality"].four_fifths_reason

