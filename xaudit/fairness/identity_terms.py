"""Identity-term swaps: the counterfactual of a text is the same text with identity terms exchanged.

A text classifier's counterfactual flip (``--counterfactual gender`` with ``--text-col``) swaps
each listed term for its counterpart and runs the model again, as counterfactual data
augmentation does (Lu, Mardziel, Wu, Amancharla & Datta 2020, "Gender Bias in Neural Natural
Language Processing"; Zhao, Wang, Yatskar, Ordonez & Chang 2018, "Gender Bias in Coreference
Resolution: Evaluation and Debiasing Methods", whose gender-swapping word pairs the list below
follows in part). Words are matched whole and case-insensitively; the counterpart keeps the
word's case (``He`` → ``She``, ``HIS`` → ``HER``). Without a part-of-speech tagger the
ambiguous ``her`` becomes ``his`` (possessive) every time, never ``him``; the output says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ..errors import unknown_choice


@dataclass(frozen=True)
class TermList:
    """Pairs of identity terms that are swapped both ways, with where they come from."""

    name: str
    pairs: tuple[tuple[str, str], ...]
    source: str
    note: str = ""

    @cached_property
    def mapping(self) -> dict[str, str]:
        """Each term to its counterpart (a term listed twice keeps its first counterpart)."""
        mapping: dict[str, str] = {}
        for a, b in self.pairs:
            mapping.setdefault(a, b)
            mapping.setdefault(b, a)
        return mapping

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        words = sorted(self.mapping, key=len, reverse=True)
        return re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)

    def swap(self, text: str) -> str:
        """``text`` with every listed term replaced by its counterpart, keeping its case."""
        return self.pattern.sub(lambda m: _same_case(m.group(0), self.mapping[m.group(0).lower()]), text)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "source": self.source, "note": self.note,
                "pairs": [list(pair) for pair in self.pairs]}


def _same_case(word: str, counterpart: str) -> str:
    if word.isupper() and len(word) > 1:
        return counterpart.upper()
    return counterpart.capitalize() if word[0].isupper() else counterpart


GENDER = TermList(
    "gender",
    (("he", "she"), ("his", "her"), ("him", "her"), ("himself", "herself"), ("hers", "his"),
     ("man", "woman"), ("men", "women"), ("boy", "girl"), ("boys", "girls"), ("male", "female"),
     ("father", "mother"), ("fathers", "mothers"), ("son", "daughter"), ("sons", "daughters"),
     ("brother", "sister"), ("brothers", "sisters"), ("husband", "wife"), ("husbands", "wives"),
     ("uncle", "aunt"), ("nephew", "niece"), ("grandfather", "grandmother"), ("king", "queen"),
     ("mr", "mrs"), ("sir", "madam"), ("gentleman", "lady"), ("gentlemen", "ladies"),
     ("boyfriend", "girlfriend"), ("dad", "mom"), ("actor", "actress"), ("waiter", "waitress")),
    "gender-swapping word pairs after Zhao et al. 2018 and Lu et al. 2020 (counterfactual data augmentation)",
    "'her' becomes 'his' (no part-of-speech tagging, so an object 'her' reads 'his' rather than 'him'); "
    "'his' becomes 'her'",
)
TERM_LISTS = {GENDER.name: GENDER}


def term_list(name: str) -> TermList:
    """The documented term list ``name`` (ParameterError naming the lists otherwise)."""
    if name not in TERM_LISTS:
        raise unknown_choice("counterfactual term list", name, TERM_LISTS)
    return TERM_LISTS[name]
