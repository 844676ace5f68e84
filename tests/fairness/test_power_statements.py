"""Rows needed to detect a gap (statsmodels) against the power equation solved here, the statements
built from them, and the equivalence test (TOST) against the two one-sided tests by hand and by simulation."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from typer.testing import CliRunner

from xaudit.cli import app
from xaudit.fairness import AuditSettings, GroupCounts, group_fairness
from xaudit.fairness.equivalence import equivalence_p
from xaudit.fairness.power import rows_needed


def _power_by_hand(p_group: float, p_reference: float, n_group: float, n_reference: int, alpha: float) -> float:
    """Power of the two-sided two-proportion z test on Cohen's h = |2·asin√p₁ − 2·asin√p₂|."""
    h = abs(2 * math.asin(math.sqrt(p_group)) - 2 * math.asin(math.sqrt(p_reference)))
    scale, z = math.sqrt(n_group * n_reference / (n_group + n_reference)), stats.norm.ppf(1 - alpha / 2)
    return stats.norm.cdf(h * scale - z) + stats.norm.cdf(-h * scale - z)


@pytest.mark.parametrize("reference_rate, n_reference, gap, alpha, higher", [
    (0.62, 959, 0.10, 0.05, True), (0.30, 1500, 0.05, 0.05, True), (0.10, 2000, 0.10, 0.01, False),
    (0.50, 10_000, 0.02, 0.1, True)])
def test_rows_needed_is_the_smallest_group_reaching_power(reference_rate, n_reference, gap, alpha, higher):
    needed = rows_needed(reference_rate, n_reference, gap, alpha, higher)
    target = reference_rate - gap if higher else reference_rate + gap
    exact = optimize.brentq(lambda n: _power_by_hand(target, reference_rate, n, n_reference, alpha) - 0.8,
                            1, 1e9, xtol=1e-9)
    # statsmodels' root finder stops within about 1e-5 of the exact root: the ceiling may land one row off
    assert abs(needed - math.ceil(exact)) <= 1
    assert _power_by_hand(target, reference_rate, needed + 1, n_reference, alpha) >= 0.8 - 1e-4
    assert _power_by_hand(target, reference_rate, needed - 2, n_reference, alpha) < 0.8


def test_rows_needed_is_undefined_when_unreachable():
    assert math.isnan(rows_needed(0.05, 500, 0.10, 0.05))  # a rate of -0.05 does not exist
    assert math.isnan(rows_needed(0.5, 20, 0.05, 0.05))  # 20 reference rows cannot pin a 0.05 gap
    assert math.isnan(rows_needed(math.nan, 500, 0.10, 0.05))


def test_statement_in_the_audit_and_the_terminal(tmp_path):
    counts = GroupCounts(("big", "small"), np.array([[300, 400, 100, 200], [10, 6, 5, 4]]))  # tn, fp, fn, tp
    result = group_fairness(counts, AuditSettings())
    assert result.group("small").too_small
    parity = result.parity["statistical_parity"]
    reference_rate = result.group("big").rates["selection_rate"]
    assert parity.rows_needed["small"] == rows_needed(reference_rate, 1000, 0.10, 0.05)
    assert math.isnan(parity.rows_needed["big"])  # the reference is not compared with itself
    statement = result.power_statement("small")
    assert statement.startswith("n = 25: could detect a selection rate gap of "
                                f"{parity.detectable_difference['small']:.2f} or more; ")
    assert statement.endswith(f"{parity.rows_needed['small']:,.0f} rows needed for 0.10")
    cells = {"big": [300, 400, 100, 200], "small": [10, 6, 5, 4]}  # tn, fp, fn, tp rows
    frame = pd.DataFrame([{"g": g, "y": y, "yhat": yhat} for g, n in cells.items()
                          for (y, yhat), k in zip([(0, 0), (0, 1), (1, 0), (1, 1)], n) for _ in range(k)])
    path = tmp_path / "rows.csv"
    frame.to_csv(path, index=False)
    shown = CliRunner().invoke(app, ["fairness", "--data", str(path), "--label-col", "y", "--pred-col", "yhat",
                                     "--group-cols", "g", "-f", "table", "-o", str(tmp_path / "t.txt")])
    assert shown.exit_code == 0, shown.output
    text = " ".join((tmp_path / "t.txt").read_text().split())
    assert f"too small to judge ({statement})" in text


def _tost_by_hand(x1: int, n1: int, x2: int, n2: int, margin: float) -> float:
    """Agresti–Caffo TOST: add one success and one failure to each group, then the larger of the two
    one-sided Wald p-values for d ≤ −δ and d ≥ δ."""
    p1, p2 = (x1 + 1) / (n1 + 2), (x2 + 1) / (n2 + 2)
    se = math.sqrt(p1 * (1 - p1) / (n1 + 2) + p2 * (1 - p2) / (n2 + 2))
    return max(stats.norm.sf((p1 - p2 + margin) / se), stats.norm.cdf((p1 - p2 - margin) / se))


@pytest.mark.parametrize("x1, n1, x2, n2", [(40, 100, 45, 110), (400, 1000, 410, 1000), (90, 200, 500, 1000),
                                            (3, 12, 300, 1000), (0, 10, 0, 500), (520, 1000, 480, 1000)])
def test_equivalence_p_equals_the_two_one_sided_tests_by_hand(x1, n1, x2, n2):
    for margin in (0.03, 0.05, 0.1, 0.2):
        assert equivalence_p(x1, n1, x2, n2, margin) == pytest.approx(_tost_by_hand(x1, n1, x2, n2, margin),
                                                                      rel=1e-9)
    assert math.isnan(equivalence_p(0, 0, 5, 10, 0.1))


def test_equivalence_holds_its_level_at_the_margin_and_finds_equal_rates():
    rng = np.random.default_rng(17)
    margin, n, replicates = 0.1, 300, 400
    at_margin = np.mean([equivalence_p(rng.binomial(n, 0.4), n, rng.binomial(n, 0.5), n, margin) < 0.05
                         for _ in range(replicates)])
    equal = np.mean([equivalence_p(rng.binomial(n, 0.5), n, rng.binomial(n, 0.5), n, margin) < 0.05
                     for _ in range(replicates)])
    assert at_margin <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / replicates)  # size at the boundary
    se = math.sqrt(2 * 0.25 / n)  # power with no gap: both one-sided tests reject, 2Φ(δ/se − z_α) − 1 (about 0.59)
    expected = 2 * stats.norm.cdf(margin / se - stats.norm.ppf(0.95)) - 1
    assert abs(equal - expected) < 4 * math.sqrt(expected * (1 - expected) / replicates) + 0.02


def test_equivalence_margin_through_the_cli(predictions, tmp_path):
    path = tmp_path / "rows.csv"
    predictions.to_csv(path, index=False)
    result = CliRunner().invoke(app, ["fairness", "--data", str(path), "--label-col", "y", "--pred-col", "yhat",
                                      "--group-cols", "race", "--equivalence-margin", "0.15", "-f", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    parity = payload["parity"]["statistical_parity"]
    reference = payload["reference_group"]
    other = next(g for g in payload["groups"] if g["group"] != reference)
    ref = next(g for g in payload["groups"] if g["group"] == reference)
    x1 = round(other["selection_rate"] * other["n"])
    x2 = round(ref["selection_rate"] * ref["n"])
    assert parity["equivalence_p"][other["group"]] == pytest.approx(
        equivalence_p(x1, other["n"], x2, ref["n"], 0.15), rel=1e-12)
    assert parity["equivalence_p"][reference] is None
    assert parity["equivalence_p"][other["group"]] == pytest.approx(_tost_by_hand(x1, other["n"], x2, ref["n"], 0.15))
    assert payload["settings"]["equivalence_margin"] == 0.15


def test_statement_wording():
    from xaudit.fairness.power import power_statement

    assert power_statement(41, 0.191, 180, 0.1, "gap") == "n = 41: could detect a gap of 0.19 or more; 180 rows needed " \
        "for 0.10"
    assert power_statement(346, 0.08, 199, 0.1, "gap").endswith("199 rows needed for 0.10 (it has them)")
    assert power_statement(5, math.nan, math.nan, 0.1, "gap") == "n = 5: could not detect any gap with power 0.8; " \
        "no group size detects 0.10 against this reference"
