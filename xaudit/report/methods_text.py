"""The report's Methods section: each method, measure and metric with its definition and citation.

Attribution methods, evaluation measures and fairness criteria describe themselves
(``attribution.registry``, ``evaluation.measures``, ``fairness.metrics.PARITY``); the rules
below are listed here.
"""

from __future__ import annotations

from .document import MethodText


def methods() -> list[MethodText]:
    """Name, definition and reference of everything the report uses, in reading order."""
    from ..attribution.registry import METHODS
    from ..evaluation.measures import MEASURES
    from ..fairness.metrics import PARITY

    attribution = [MethodText(m.title, m.definition, m.citation) for m in METHODS.values()]
    measures = [MethodText(m.title, m.definition, m.citation) for m in MEASURES.values()]
    fairness = [MethodText(p.title, p.definition[0].upper() + p.definition[1:] + ".", p.citation) for p in PARITY]
    return attribution + measures + fairness + RULES


RULES = [
    MethodText("Four-fifths rule", "A group's selection rate below 80% of the reference group's indicates adverse "
               "impact.", "US EEOC Uniform Guidelines (1978), 29 CFR 1607.4(D)."),
    MethodText("Worst-off group", "The group with the lowest value of a benefit (highest of a harm): the Rawlsian "
               "view, reported beside the gaps.", "Jørgensen & Søgaard, Rawlsian AI fairness loopholes (2022)."),
    MethodText("Intervals", "Each rate: Wilson score interval. Each group's difference to the reference: "
               "Newcombe's hybrid score interval; its impact ratio: MOVER-R from the two Wilson intervals. Both can "
               "cover no gap and agree with the tests; one comparison at a time, not adjusted for the number of "
               "groups. The max − min difference and min / max ratio have no interval.",
               "Wilson (1927), JASA 22; Newcombe (1998), Stat Med 17, method 10; Donner & Zou (2012), SMMR 21."),
    MethodText("Minimum detectable difference", "The smallest gap between a group's rate and the reference's "
               "(on the worse side) that a two-sided two-proportion test at the audit's alpha detects with power "
               "0.8, given both group sizes: Cohen's h from statsmodels' NormalIndPower, turned back into a rate "
               "difference around the reference rate.", "Cohen (1988), Statistical Power Analysis for the "
               "Behavioral Sciences, ch. 6."),
    MethodText("Rows needed", "The group size at which the same test detects a gap of the audit's target (0.10 "
               "by default) with power 0.8 against the reference as it is: statsmodels' NormalIndPower solved for the "
               "ratio of the group's size to the reference's.", "Cohen (1988), ch. 6."),
    MethodText("Equivalence (TOST)", "With a margin δ: two one-sided tests that a group's rate is within ±δ of the "
               "reference's (Agresti–Caffo tests, statsmodels); rejecting both states 'no disparity larger than ±δ'.",
               "Schuirmann (1987), J. Pharmacokinetics and Biopharmaceutics 15; Agresti & Caffo (2000), The "
               "American Statistician 54."),
    MethodText("Scores: ranking and calibration", "Per group: ROC AUC and average precision (scikit-learn); Brier "
               "score; expected calibration error, the row-weighted mean |observed rate − mean score| over 10 "
               "equal-width bins, with the reliability curve; each with a percentile-bootstrap interval stratified "
               "by label (the ECE's resamples are biased upward, so its interval sits at or above the estimate); a "
               "threshold sweep of selection rates, TPR and FPR over cut-offs 0.00–1.00 with the cut-offs that "
               "pass the four-fifths rule, and those shown to pass (the impact ratio's MOVER-R interval wholly at or "
               "above the threshold).",
               "Brier (1950); Naeini, Cooper & Hauskrecht (2015), AAAI; Guo et al. (2017), ICML; Efron & Tibshirani "
               "(1993); Donner & Zou (2012)."),
    MethodText("Reference group and direction", "ŷ=1 is the favourable decision: a higher selection rate, TPR "
               "or FPR gives a group more favourable decisions, a higher accuracy fewer errors, so the worst-off group "
               "has the lowest rate on every criterion. The default reference has the highest selection rate among "
               "the groups large enough to judge (those passed over are named). The four-fifths rule compares each "
               "group with the reference and the lowest with the highest group large enough to judge; it is not "
               "applied to the FPR, a rate of undeserved favourable decisions.",
               "EEOC Uniform Guidelines, 29 CFR 1607.4(D); Jørgensen & Søgaard (Rawlsian worst-off group)."),
    MethodText("NYC Local Law 144 impact ratios", "Per sex, race/ethnicity and intersectional category: selection "
               "(or scoring: above the sample median) rate over the highest category's; categories under 2% of the "
               "data excluded with the reason; unknown categories counted.",
               "NYC DCWP rules, 6 RCNY §§ 5-300, 5-301, 5-303 (2023)."),
    MethodText("Counterfactual flip rate", "Share of a group's rows whose decision changes when only one protected "
               "input is changed (the rest of the row kept); McNemar's test of the paired decisions (exact binomial "
               "under 25 flips).", "Kusner et al., Counterfactual fairness (2017); McNemar (1947)."),
    MethodText("Attribution by group, proxies", "Per group, the mean absolute attribution of each column and the "
               "share of that mass on protected attributes and on their proxies: columns whose association with a "
               "protected attribute (Cramér's V; correlation ratio η; |Pearson r|) reaches the stated threshold.",
               "Cramér (1946); Pearson (1903); Barocas, Hardt & Narayanan, Fairness and Machine Learning (2023)."),
    MethodText("Reasons for a refusal", "The columns with the most negative attribution toward the favourable "
               "class (integrated gradients from the typical applicant), as principal adverse-action reasons are "
               "stated.", "Sundararajan, Taly & Yan (2017); US Regulation B, 12 CFR 1002.9."),
    MethodText("Cloze P@k", "Share of a group's annotation rows whose answer (NFC, stripped, casefolded, whole "
               "word) is among the model's top-k whole-word predictions for the sentence; means with population "
               "standard deviations across languages and groups.", "Cabello Piqueras & Søgaard (2022), Are "
               "Pretrained Multilingual Models Equally Fair Across Languages?, COLING."),
]

LIMITATIONS = [
    "Attributions describe how this model responds to these inputs; they are not causal claims about the world, "
    "and different methods can disagree (see the explanation-quality table before relying on one).",
    "Attention-based scores (raw, rollout, flow) reflect information mixing in the attention graph only; they "
    "ignore the feed-forward layers and value vectors.",
    "Group metrics are estimates from a finite sample: read gaps together with their intervals and tests; groups "
    "flagged too small to judge should not be used for conclusions either way.",
    "Fairness criteria can conflict: when base rates differ, statistical parity, performance parity and accuracy "
    "equality cannot all hold at once, so a clean result on one is not a clean result on all.",
    "The reference models are small models trained by xaudit for demonstration; the group-fairness datasets "
    "(UCI Adult, German credit) are audited with the decisions of the reference models credit and income on "
    "their own tables (partly their training rows), or, without the shared data, the built-in synthetic credit "
    "data with a planted rule; none is a deployed system.",
    "Cloze P@k compares a model with human answers; a low P@k for a group may reflect the model, the "
    "annotators' variety of answers, or both; read it against the human baseline.",
]
