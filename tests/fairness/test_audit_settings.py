"""AuditSettings' checks, parameter by parameter: the exact message at each bound, the bound itself
accepted, and the value stored as checked (written from the mutation run's survivors, tests/MUTATION.md)."""

import re

import pytest

from xaudit.errors import ParameterError
from xaudit.fairness import AuditSettings

# name -> (rejected value, the bounds its message states, the accepted bound, the value stored for it)
CASES = {
    "four_fifths": (0.0, "a number > 0 and <= 1", 1, 1.0),
    "n_boot": (-1, "an int >= 0", 0, 0),
    "confidence": (0.0, "a number > 0 and <= 1", 1, 1.0),
    "seed": (-1, "an int >= 0", 0, 0),
    "min_rows": (-1, "an int >= 0", 0, 0),
    "min_share": (-0.01, "a number >= 0 and <= 1", 0, 0.0),
    "target_gap": (0.0, "a number > 0 and <= 1", 1, 1.0),
    "equivalence_margin": (0.0, "a number > 0 and <= 1", 1, 1.0),
}


@pytest.mark.parametrize("name", CASES)
def test_each_setting_states_its_bounds(name):
    bad, wanted, _, _ = CASES[name]
    message = f"The {name!r} parameter must be {wanted}. Got {bad!r} instead."
    with pytest.raises(ParameterError, match=f"^{re.escape(message)}$"):
        AuditSettings(**{name: bad})


@pytest.mark.parametrize("name", CASES)
def test_each_bound_is_accepted_and_stored_as_checked(name):
    _, _, bound, stored = CASES[name]
    value = getattr(AuditSettings(**{name: bound}), name)
    assert value == stored and type(value) is type(stored)


@pytest.mark.parametrize("name, above", [("four_fifths", 1.01), ("confidence", 1.01), ("min_share", 1.01),
                                         ("target_gap", 1.01), ("equivalence_margin", 1.01)])
def test_fractions_above_one_are_refused(name, above):
    with pytest.raises(ParameterError, match=f"{name!r}"):
        AuditSettings(**{name: above})


def test_defaults_are_kept():
    settings = AuditSettings()
    assert (settings.four_fifths, settings.confidence, settings.min_rows, settings.min_share, settings.target_gap,
            settings.equivalence_margin, settings.seed) == (0.8, 0.95, 30, 0.02, 0.10, None, 0)
    assert settings.alpha == 0.05


def test_no_rows_is_refused_and_one_row_is_audited():
    import numpy as np

    from xaudit.errors import DataError
    from xaudit.fairness import GroupCounts, count_arrays, group_fairness

    one = count_arrays(np.array([1]), np.array([1]), np.array(["a"]))
    assert group_fairness(one, AuditSettings(n_boot=0)).overall.n == 1
    empty = GroupCounts(one.groups, np.zeros_like(one.cells))
    with pytest.raises(DataError, match="^no rows to audit$"):
        group_fairness(empty, AuditSettings(n_boot=0))


def test_a_group_exactly_at_min_rows_or_min_share_is_judged():
    import numpy as np

    from xaudit.fairness import count_arrays, group_fairness

    groups = np.array(["a"] * 98 + ["b"] * 2)
    y = np.arange(100) % 2
    counts = count_arrays(y, y, groups)
    at_share = group_fairness(counts, AuditSettings(n_boot=0, min_rows=0, min_share=0.02))
    assert not at_share.group("b").too_small
    at_rows = group_fairness(counts, AuditSettings(n_boot=0, min_rows=2, min_share=0))
    assert not at_rows.group("b").too_small
    assert group_fairness(counts, AuditSettings(n_boot=0, min_rows=3, min_share=0)).group("b").too_small
