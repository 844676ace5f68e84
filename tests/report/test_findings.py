"""Cloze findings on hand-made results: the pooled rate, the human baseline and the noise verdict."""

from __future__ import annotations

from xaudit.report.findings import cloze_findings


def result(hits: dict[tuple[str, str], int], n: int = 100) -> dict:
    cells = [{"group": g, "language": lang, "hits": h, "n": n, "p_at_k": h / n} for (g, lang), h in hits.items()]
    rates = {key: h / n for key, h in hits.items()}
    groups = sorted({g for g, _ in hits})
    languages = sorted({lang for _, lang in hits})

    def margin(values: list[float]) -> dict:
        mean = sum(values) / len(values)
        return {"mean": mean, "std": (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5}

    return {"model": "m", "human_baseline": {"cells": [dict(c, hits=20) for c in cells]},
            "p_at_k": {"1": {"cells": cells,
                             "group_means": {g: margin([rates[g, lang] for lang in languages]) for g in groups},
                             "language_means": {lang: margin([rates[g, lang] for g in groups]) for lang in languages}}}}


def test_a_spread_under_two_answers_is_too_small_to_tell_groups_apart():
    (finding,) = cloze_findings(result({("MN", "en"): 1, ("FN", "en"): 0, ("MN", "de"): 1, ("FN", "de"): 1}))
    assert "0.8% of all annotations against a human baseline of 20.0%" in finding["text"]
    assert "widest in EN (σ = 0.005, about 0.5 answers in a cell of 100: too few to tell groups apart)" \
        in finding["text"]
    assert "lowest group mean over languages is FN (0.005)" in finding["text"]


def test_a_large_spread_is_stated_in_answers_without_a_verdict():
    (finding,) = cloze_findings(result({("MN", "en"): 30, ("FN", "en"): 10, ("MN", "de"): 20, ("FN", "de"): 20}))
    assert "widest in EN (σ = 0.100, about 10.0 answers in a cell of 100);" in finding["text"]
