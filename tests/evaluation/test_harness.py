"""The one harness: bootstrap intervals and paired tests against independent computations (a numpy
bootstrap, the exact signed-rank distribution by enumeration, Holm's step-down by hand), and an evaluation
of the shipped LSTM whose table, tests, timings and generated reading agree with its own numbers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from xaudit.attribution import get_method
from xaudit.datasets.reference import held_out_examples
from xaudit.evaluation.comparison import best, markdown, tied_with
from xaudit.evaluation.measures import column_of, measure_of
from xaudit.evaluation.runner import EvaluationResult, evaluate
from xaudit.evaluation.statistics import bootstrap_interval, paired_tests
from xaudit.models.registry import card_of


def test_bootstrap_interval_matches_a_numpy_percentile_bootstrap():
    sample = np.random.default_rng(1).gamma(2.0, size=40)
    low, high = bootstrap_interval(list(sample) + [None, float("nan")], seed=0)  # undefined values left out
    means = np.random.default_rng(9).choice(sample, size=(100_000, sample.size)).mean(axis=1)
    expected = np.percentile(means, [2.5, 97.5])
    standard_error = sample.std(ddof=1) / np.sqrt(sample.size)
    # 2,000 resamples put a 2.5% quantile within about 0.06 standard errors (sd) of its limit; allow 4 sd. A 90%
    # interval would be 0.31 standard errors off at each end.
    assert abs(low - expected[0]) < 0.25 * standard_error and abs(high - expected[1]) < 0.25 * standard_error
    assert bootstrap_interval([0.3, 0.3, None], seed=0) == (0.3, 0.3) and bootstrap_interval([None], 0) == (None, None)
    assert bootstrap_interval(list(sample), seed=4) == bootstrap_interval(list(sample), seed=4)  # seeded


def exact_signed_rank_p(differences: np.ndarray) -> float:
    """Two-sided p of Wilcoxon's T+ by enumerating all 2^n sign patterns (no ties, no zeros)."""
    ranks = np.argsort(np.argsort(np.abs(differences))) + 1
    observed = ranks[differences > 0].sum()
    total = ranks.sum()
    sums = np.array([sum(r for r, s in zip(ranks, signs) if s) for signs in itertools.product([0, 1], repeat=len(ranks))])
    extreme = min(observed, total - observed)
    return min(1.0, 2 * np.mean(sums <= extreme))


def holm_by_hand(p: list[float]) -> list[float]:
    order = np.argsort(p)
    adjusted, running = np.empty(len(p)), 0.0
    for step, i in enumerate(order):
        running = max(running, (len(p) - step) * p[i])
        adjusted[i] = min(1.0, running)
    return list(adjusted)


def test_paired_tests_equal_the_exact_distribution_and_holm_by_hand():
    rng = np.random.default_rng(3)
    base = rng.normal(size=11)
    values = {"a": list(base), "b": list(base + rng.normal(0.8, 0.5, 11)), "c": list(base + rng.normal(0.1, 1.0, 11)),
              "d": list(base + rng.normal(-0.3, 0.4, 11))}
    values["d"][4] = None  # a pair is tested on the examples where both are defined
    tests = paired_tests("m", values)
    assert [(t.a, t.b) for t in tests] == list(itertools.combinations("abcd", 2))
    raw = []
    for t in tests:
        pairs = [(x, y) for x, y in zip(values[t.a], values[t.b]) if x is not None and y is not None]
        differences = np.array([x - y for x, y in pairs])
        assert t.n == len(pairs) and t.mean_difference == pytest.approx(differences.mean())
        assert t.p_value == pytest.approx(exact_signed_rank_p(differences), rel=1e-9)
        raw.append(t.p_value)
    assert [t.p_holm for t in tests] == pytest.approx(holm_by_hand(raw), rel=1e-12)
    assert min(t.p_holm for t in tests) < 0.05  # the shifted method differs: a test that can reject
    same = paired_tests("m", {"x": [1.0, 2.0], "y": [1.0, 2.0]})
    assert same[0].p_value is None and same[0].p_holm is None  # no non-zero difference: no test


@pytest.fixture(scope="module")
def lstm_result(trained_adapters) -> EvaluationResult:
    adapter = trained_adapters["lstm"]
    split = held_out_examples(card_of("lstm"), 24)
    methods = [get_method(name) for name in ("saliency", "ig", "blankout")]
    return evaluate(adapter, split.inputs, split.labels, methods, [get_method("blankout")], stability_samples=1,
                    seed=0, batch_size=10)


def test_every_summary_has_an_interval_around_its_mean(lstm_result):
    for summary in lstm_result.summaries:
        if summary.mean is not None and summary.n > 1:
            assert summary.ci_low <= summary.mean <= summary.ci_high
    assert set(lstm_result.seconds_per_example) == {"saliency", "ig", "blankout"}
    assert all(v > 0 for v in lstm_result.seconds_per_example.values())
    again = EvaluationResult.from_dict(lstm_result.to_dict())
    assert again.tests == lstm_result.tests and again.summaries == lstm_result.summaries


def test_tests_cover_every_pair_and_measure(lstm_result):
    gini = [t for t in lstm_result.tests if t.measure == "gini"]
    assert {(t.a, t.b) for t in gini} == {("saliency", "ig"), ("saliency", "blankout"), ("ig", "blankout")}
    assert all(t.n == 24 for t in gini)
    versus = [t for t in lstm_result.tests if t.measure == "spearman_vs_blankout"]
    assert {(t.a, t.b) for t in versus} == {("saliency", "ig")}  # blank-out is not compared with itself


def test_the_reading_names_the_best_method_computed_independently(lstm_result):
    text = markdown(lstm_result, "xaudit evaluate --model lstm")
    for measure in lstm_result.measures():
        sign = 1 if measure_of(measure).higher_is_better else -1
        means = {s.method: s.mean for s in lstm_result.summaries if s.measure == measure and s.mean is not None}
        winner = max(means, key=lambda m: sign * means[m])
        assert best(lstm_result, measure)[0] == winner
        assert f"- {column_of(measure)}: `{winner}` is best" in text
        same, different = tied_with(lstm_result, measure, winner)
        significant = {t.b if t.a == winner else t.a for t in lstm_result.tests
                       if t.measure == measure and winner in (t.a, t.b) and t.p_holm is not None and t.p_holm < 0.05}
        assert set(different) == significant
    fastest = min(lstm_result.seconds_per_example, key=lstm_result.seconds_per_example.get)
    assert f"Fastest: `{fastest}`" in text


def test_methods_all_runs_the_sampling_ones_too_and_writes_the_comparison(tmp_path):
    import json

    from typer.testing import CliRunner

    from xaudit.attribution.registry import METHODS
    from xaudit.cli import app

    out = tmp_path / "comparison.md"
    result = CliRunner().invoke(app, ["evaluate", "--model", "lstm", "--methods", "all", "--n", "2", "--no-removal",
                                      "--stability-samples", "0", "--format", "json", "--comparison", str(out)])
    assert result.exit_code == 0, result.output
    methods = json.loads(result.stdout[result.stdout.index("{"):])["methods"]
    expected = [name for name, m in METHODS.items() if "attentions" not in m.requires and m.kinds is None]
    assert methods == expected and "kernel-shap" in methods and "deeplift" not in methods
    text = out.read_text()
    assert all(f"| `{name}` |" in text for name in methods) and "## Reading" in text


def test_method_parameters_reach_the_evaluated_methods_and_the_comparison(tmp_path):
    import json

    from typer.testing import CliRunner

    from xaudit.cli import app

    out = tmp_path / "comparison.md"
    result = CliRunner().invoke(app, ["evaluate", "--model", "lstm", "--method", "ig,smoothgrad", "--steps", "4",
                                      "--noise-samples", "3", "--n", "2", "--no-removal", "--stability-samples", "0",
                                      "--format", "json", "--comparison", str(out)])
    assert result.exit_code == 0, result.output
    settings = json.loads(result.stdout[result.stdout.index("{"):])["settings"]
    assert settings["method_parameters"]["ig"]["n_steps"] == 4
    assert settings["method_parameters"]["smoothgrad"]["noise_samples"] == 3
    assert "`ig` n_steps = 4" in out.read_text() and "noise_samples = 3" in out.read_text()


def test_the_reading_names_methods_that_never_read_the_head():
    from xaudit.evaluation.sanity import SanityStep

    def step(method, k, mean):
        name = "head (classifier)" if k == 1 else "layer 1"
        return SanityStep(method, k, name, mean, mean - 0.01, mean + 0.01, 5, 0)

    sanity = [step("rollout", 1, 1.0), step("saliency", 1, 0.9), step("rollout", 2, 0.2), step("saliency", 2, 0.1)]
    result = EvaluationResult("bert", 5, ["saliency", "rollout"], [], {"target": "predicted", "seed": 0,
                              "sanity_threshold": 0.5, "data": "held-out"}, sanity=sanity)
    text = markdown(result, "xaudit evaluate")
    assert ("- Unchanged with only the output layers re-initialised (k = 1, head (classifier); mean ρ ≥ 0.99): "
            "`rollout`. They do not read") in text
    assert "every method passes" in text
    without = EvaluationResult("bert", 5, ["saliency"], [], result.settings, sanity=sanity[1::2])
    assert "Unchanged with only the output layers" not in markdown(without, "xaudit evaluate")
