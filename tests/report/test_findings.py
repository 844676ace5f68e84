"""Cloze findings on hand-made results: the pooled rate, the human baseline and the noise verdict."""

from __future__ import annotations

from xaudit.cloze.mozart import LoadReport
from xaudit.cloze.tables import Cell, ClozeResult, RateTable, margin
from xaudit.report.findings import cloze_findings


def table(hits: dict[tuple[str, str], int], n: int) -> RateTable:
    groups = sorted({g for g, _ in hits})
    languages = sorted({lang for _, lang in hits})
    return RateTable(tuple(Cell(g, lang, h, n, 0) for (g, lang), h in hits.items()),
                     {g: margin([hits[g, lang] / n for lang in languages]) for g in groups},
                     {lang: margin([hits[g, lang] / n for g in groups]) for lang in languages})


def result(hits: dict[tuple[str, str], int], n: int = 100) -> ClozeResult:
    groups = tuple(sorted({g for g, _ in hits}))
    languages = tuple(sorted({lang for _, lang in hits}))
    return ClozeResult("m", groups, languages, {1: table(hits, n)}, table({key: 20 for key in hits}, n), 1,
                       LoadReport())


def test_a_spread_under_two_answers_is_too_small_to_tell_groups_apart():
    noise, finding = cloze_findings(result({("MN", "en"): 1, ("FN", "en"): 0, ("MN", "de"): 1, ("FN", "de"): 1}))
    assert noise.severity == "low" and "Pooled P@1 of m is 0.8% (3 hits in 400 annotations), under 20% of the " \
        "human baseline's 20.0%: read its group differences as noise" in noise.text
    assert finding.subject == "m"
    assert "0.8% of all annotations against a human baseline of 20.0%" in finding.text
    assert "widest in EN (σ = 0.005, about 0.5 answers in a cell of 100: too few to tell groups apart)" \
        in finding.text
    assert "lowest group mean over languages is FN (0.005)" in finding.text


def test_a_large_spread_is_stated_in_answers_without_a_verdict():
    (finding,) = cloze_findings(result({("MN", "en"): 30, ("FN", "en"): 10, ("MN", "de"): 20, ("FN", "de"): 20}))
    assert "widest in EN (σ = 0.100, about 10.0 answers in a cell of 100);" in finding.text


def section(rows: list[tuple[str, int | None, float]]):
    from xaudit.evaluation.runner import EvaluationResult, Summary
    from xaudit.report.document import ExplanationSection

    summaries = [Summary(method, "spearman_vs_blankout", layer, mean, 0.1, 10, 0) for method, layer, mean in rows]
    summaries.append(Summary("saliency", "gini", None, 0.9, 0.1, 10, 0))  # another measure: not compared
    quality = EvaluationResult("bert", 10, [r[0] for r in rows], ["blankout"], {}, summaries)
    return ExplanationSection("bert", "", [r[0] for r in rows], [], {}, 10, 2, quality, "")


def test_explanation_finding_names_the_best_and_the_least_agreeing_method():
    from xaudit.report.findings import explanation_findings

    (finding,) = explanation_findings(section([("saliency", None, 0.2), ("flow", 6, 0.7), ("rollout", 6, -0.1)]))
    assert finding.subject == "bert" and finding.value == 0.7
    assert "flow at layer 6 agrees best with blank-out (Spearman 0.70 ± 0.10); rollout at layer 6 least (-0.10)" \
        in finding.text


def test_a_single_method_is_never_both_best_and_least():
    from xaudit.report.findings import explanation_findings

    (finding,) = explanation_findings(section([("saliency", None, 0.4)]))
    assert "saliency is the only method compared with blank-out (Spearman 0.40 ± 0.10)" in finding.text
    assert "least" not in finding.text


def test_messages_read_as_written_english():
    from xaudit.wording import article, count

    assert [article(w) for w in ("accuracy", "image", "selection rate", "true positive rate")] == ["an", "an", "a", "a"]
    assert [count(1, "group"), count(3, "group"), count(1200, "row")] == ["1 group", "3 groups", "1,200 rows"]



def test_a_group_too_small_to_judge_says_what_it_could_have_detected():
    import numpy as np

    from xaudit.fairness import AuditSettings, GroupCounts, group_fairness
    from xaudit.fairness.power import minimum_detectable_difference, rows_needed
    from xaudit.report.document import GroupFairnessAudit
    from xaudit.report.findings import fairness_findings

    counts = GroupCounts(("big", "small"), np.array([[200, 300, 59, 400], [10, 10, 5, 16]]))  # small: 41 of 1,000
    result = group_fairness(counts, AuditSettings(min_share=0.05))
    audit = GroupFairnessAudit("credit by age", "data", ["age"], "", result)
    (finding,) = [f for f in fairness_findings(audit) if "too small" in f.text]
    gap = minimum_detectable_difference(result.group("big").rates["selection_rate"], 41, 959, 0.05)
    needed = rows_needed(result.group("big").rates["selection_rate"], 959, 0.10, 0.05)
    assert (f"small (n = 41: could detect a selection rate gap of {gap:.2f} or more; {needed:,.0f} rows needed for "
            "0.10)") in finding.text
    assert 0.15 < gap < 0.25
