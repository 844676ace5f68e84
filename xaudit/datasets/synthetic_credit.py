"""A synthetic credit-decision dataset with a planted, known disparity: the built-in example.

Generative model, one applicant per row (seeded, so the same ``n`` and ``seed`` give the
same rows):

- ``sex``: ``female`` with probability 0.45, else ``male``;
- ``age_group``: ``under 25`` with probability 0.2, else ``25 and over`` (independent of sex);
- ``repaid``, the true label (1 = repays, the favourable outcome): Bernoulli(0.7) for
  everyone, independent of sex and age, so every gap in decisions is the model's;
- ``score = sigmoid(signal − penalty)`` with ``signal = 1·(2·repaid − 1) + N(0, 1)`` and the
  planted penalty: 0.75 for women plus 0.25 for applicants under 25;
- ``approved = score >= 0.5``, i.e. ``signal >= penalty``.

So a group with penalty p has TPR = Φ(1 − p), FPR = Φ(−1 − p), selection rate
0.7·TPR + 0.3·FPR and accuracy 0.7·TPR + 0.3·(1 − FPR); ``planted_rates`` returns these
population values. With the defaults women are approved at about two thirds of men's rate
(0.416 vs 0.624): below the four-fifths line, with equal repayment rates.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..validation import check_int

SEX = {"female": 0.45, "male": 0.55}
AGE_GROUP = {"under 25": 0.2, "25 and over": 0.8}
P_REPAID = 0.7
SEPARATION = 1.0
PENALTY: Mapping[str, float] = {"female": 0.75, "under 25": 0.25}
"""The planted disparity: subtracted from the signal of these groups before the cut-off."""


def credit_decisions(n: int = 20_000, seed: int = 0, penalty: Mapping[str, float] = PENALTY) -> pd.DataFrame:
    """Applicants with ``sex``, ``age_group``, ``repaid`` (label), ``score`` and ``approved`` (decision)."""
    n = check_int("n", n, minimum=1)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    sexes, ages = np.array(list(SEX)), np.array(list(AGE_GROUP))
    sex = rng.choice(len(sexes), size=n, p=list(SEX.values()))
    age = rng.choice(len(ages), size=n, p=list(AGE_GROUP.values()))
    repaid = (rng.random(n) < P_REPAID).astype(np.int64)
    signal = SEPARATION * (2 * repaid - 1) + rng.standard_normal(n)
    offset = (np.array([penalty.get(s, 0.0) for s in sexes])[sex]
              + np.array([penalty.get(a, 0.0) for a in ages])[age])
    score = 1 / (1 + np.exp(-(signal - offset)))
    return pd.DataFrame({"applicant": np.arange(1, n + 1), "sex": sexes[sex], "age_group": ages[age],
                         "repaid": repaid, "score": score.round(6),
                         "approved": (signal >= offset).astype(np.int64)})


def planted_rates(sex: str | None = None, age_group: str | None = None,
                  penalty: Mapping[str, float] = PENALTY) -> dict[str, float]:
    """Population rates of a group (None mixes over that attribute in its population shares)."""
    cells = [(s, a) for s, a in product(SEX, AGE_GROUP) if sex in (None, s) and age_group in (None, a)]
    weights = np.array([SEX[s] * AGE_GROUP[a] for s, a in cells])
    offsets = np.array([penalty.get(s, 0.0) + penalty.get(a, 0.0) for s, a in cells])
    tpr = float(weights @ norm.cdf(SEPARATION - offsets) / weights.sum())
    fpr = float(weights @ norm.cdf(-SEPARATION - offsets) / weights.sum())
    selection = P_REPAID * tpr + (1 - P_REPAID) * fpr
    return {"base_rate": P_REPAID, "selection_rate": selection, "tpr": tpr, "fpr": fpr,
            "accuracy": P_REPAID * tpr + (1 - P_REPAID) * (1 - fpr), "ppv": P_REPAID * tpr / selection}
