"""GroupCounts arithmetic, the counts bootstrap, and counts-vs-rows equality of whole audits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xaudit.errors import DataError, ParameterError
from xaudit.fairness import AuditSettings, GroupCounts, Grouping, PredictionColumns, group_fairness
from xaudit.fairness import load_counts, load_predictions
from xaudit.fairness.bootstrap import percentile_interval, resample_cells


def _loop_tally(codes, y, y_hat, n_groups):
    cells = np.zeros((n_groups, 4), dtype=np.int64)
    for code, truth, guess in zip(codes, y, y_hat):
        cells[code, 2 * truth + guess] += 1
    return cells


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=200),
       st.integers(min_value=1, max_value=199))
def test_bincount_tally_equals_a_loop_and_chunks_add_up(rows, cut):
    codes, y, y_hat = (np.array(column) for column in zip(*rows))
    names = ["a", "b", "c", "d"]
    whole = GroupCounts.from_codes(codes, 2 * y + y_hat, names)
    np.testing.assert_array_equal(whole.cells, _loop_tally(codes, y, y_hat, 4))
    first = GroupCounts.from_codes(codes[:cut], 2 * y[:cut] + y_hat[:cut], names)
    second = GroupCounts.from_codes(codes[cut:], 2 * y[cut:] + y_hat[cut:], names)
    np.testing.assert_array_equal((first + second).cells, whole.cells)


def test_adding_aligns_groups_by_name():
    left = GroupCounts(("a", "b"), np.array([[1, 2, 3, 4], [5, 6, 7, 8]]))
    right = GroupCounts(("c", "a"), np.array([[1, 1, 1, 1], [10, 20, 30, 40]]))
    total = left + right
    assert total.groups == ("a", "b", "c")
    np.testing.assert_array_equal(total.cells, [[11, 22, 33, 44], [5, 6, 7, 8], [1, 1, 1, 1]])
    assert list(total["tp"]) == [44, 8, 1] and total.total == sum(range(1, 9)) + 4 + 100


def test_counts_validation():
    with pytest.raises(DataError, match="must not be negative"):
        GroupCounts(("a",), np.array([[1, -1, 0, 0]]))
    with pytest.raises(ParameterError, match="`groups` names a group more than once"):
        GroupCounts(("a", "b"), np.ones((2, 4))).select(["a", "a"])
    frame = GroupCounts(("a",), np.array([[1, 2, 3, 4]])).to_frame()
    assert frame.to_dict("records") == [{"group": "a", "tp": 4, "fp": 2, "tn": 1, "fn": 3, "n": 10}]


def test_resampled_counts_are_seeded_and_keep_the_total():
    cells = np.array([[30, 5, 10, 55], [3, 1, 0, 2]])
    first, again = resample_cells(cells, 200, seed=3), resample_cells(cells, 200, seed=3)
    np.testing.assert_array_equal(first, again)
    assert first.shape == (200, 2, 4)
    assert (first.sum(axis=(1, 2)) == cells.sum()).all()
    assert (first[:, 1, 2] == 0).all()  # an empty cell stays empty, as when resampling rows
    assert not np.array_equal(first, resample_cells(cells, 200, seed=4))


def test_multinomial_counts_match_resampling_rows_in_distribution():
    """Counts of N rows drawn with replacement: mean N·p and variance N·p·(1 − p) per cell."""
    cells = np.array([[40, 10], [25, 25]])
    total, p = cells.sum(), cells.ravel() / cells.sum()
    draws = resample_cells(cells.reshape(1, 4), 20_000, seed=0).reshape(20_000, 4)
    np.testing.assert_allclose(draws.mean(axis=0), total * p, rtol=0.01)
    np.testing.assert_allclose(draws.var(axis=0), total * p * (1 - p), rtol=0.05)
    rows = np.repeat(np.arange(4), cells.ravel())
    by_rows = np.random.default_rng(1).choice(rows, size=(20_000, total))
    row_counts = np.stack([(by_rows == k).sum(axis=1) for k in range(4)], axis=1)
    np.testing.assert_allclose(draws.var(axis=0), row_counts.var(axis=0), rtol=0.05)


def test_percentile_interval_skips_undefined_resamples():
    samples = np.array([[0.1, np.nan], [0.2, np.nan], [0.3, np.nan], [np.nan, np.nan], [0.4, np.nan]])
    low, high = percentile_interval(samples, 0.5)
    assert low[0] == pytest.approx(np.percentile([0.1, 0.2, 0.3, 0.4], 25))
    assert high[0] == pytest.approx(np.percentile([0.1, 0.2, 0.3, 0.4], 75))
    assert np.isnan(low[1]) and np.isnan(high[1])


def _without_source(result) -> dict:
    payload = result.to_dict()
    payload.pop("source")
    return payload


def test_audit_from_counts_equals_audit_from_rows_with_intervals(predictions, tmp_path):
    rows_path = tmp_path / "rows.csv"
    predictions.to_csv(rows_path, index=False)
    grouping = Grouping(columns=("g",))
    rows = load_predictions(rows_path, PredictionColumns("y", "yhat"), grouping, chunk_rows=64)
    counts_path = tmp_path / "counts.parquet"
    rows.counts.to_frame().rename(columns={"group": "g"}).drop(columns="n").to_parquet(counts_path)
    counts = load_counts(counts_path, grouping)
    settings = AuditSettings(n_boot=300, seed=11)
    from_rows = group_fairness(rows.counts, settings, source=rows.describe())
    from_counts = group_fairness(counts.counts, settings, source=counts.describe())
    assert _without_source(from_rows) == _without_source(from_counts)
    assert from_rows.group("a").intervals["tpr"] == from_counts.group("a").intervals["tpr"]
    assert from_rows.to_frame().equals(from_counts.to_frame())
    other_seed = group_fairness(counts.counts, AuditSettings(n_boot=300, seed=12))
    assert other_seed.group("a").intervals["tpr"] == from_counts.group("a").intervals["tpr"]  # score, not bootstrap


def test_intervals_contain_the_estimate_and_shrink_with_more_data():
    rng = np.random.default_rng(5)

    def audit(n):
        y, y_hat = rng.integers(0, 2, n), rng.integers(0, 2, n)
        groups = rng.choice(["a", "b"], n)
        cells = pd.crosstab(groups, 2 * y + y_hat).reindex(columns=range(4), fill_value=0)
        return group_fairness(GroupCounts(tuple(cells.index), cells.to_numpy()), AuditSettings(n_boot=400))

    small, large = audit(400), audit(40_000)
    for result in (small, large):
        for row in result.groups:
            low, high = row.intervals["selection_rate"]
            assert low <= row.rates["selection_rate"] <= high
    width = lambda r: np.subtract(*reversed(r.parity["statistical_parity"].difference_to_reference_interval[  # noqa: E731
        next(g.group for g in r.groups if g.group != r.reference_group)]))
    assert width(large) < width(small) / 5
