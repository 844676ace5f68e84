"""Real agreement instances (Linzen et al. 2016) from link-grammar parses: constructed parses, then the parser."""

from __future__ import annotations

from tests.conftest import require
from xaudit.datasets.linzen import agrees, instance, noun_number, parse, parser_available, precision_check

# link-grammar 5.12's linkages of two sentences (LEFT-WALL is word 0), as _link_parse.py prints them.
RELATIVE = {"words": ["LEFT-WALL", "the", "man.n", "who", "the", "women.p", "love.v", "is.v", "here", ".",
                      "RIGHT-WALL"],
            "links": [[0, 9, "Xp", "Xp"], [0, 2, "hWd", "Wd"], [1, 2, "D", "Ds**c"], [2, 7, "Ss*s", "Ss"],
                      [2, 6, "Bs", "B*w"], [2, 3, "R", "R"], [3, 6, "CV", "dCV"], [3, 5, "Cr", "C"],
                      [5, 6, "Sp", "Sp"], [4, 5, "D", "Dmc"], [7, 8, "MV", "MVp"], [9, 10, "RW", "RW"]]}
PREPOSITION = {"words": ["LEFT-WALL", "the", "keys.n", "to.r", "the", "old.a", "cabinet.n", "are.v", "on", "the",
                         "table.n", ".", "RIGHT-WALL"],
               "links": [[0, 11, "Xp", "Xp"], [0, 2, "hWd", "Wd"], [1, 2, "D", "Dmc"], [2, 7, "Sp", "Spx"],
                         [2, 3, "M", "Mp"], [3, 6, "J", "Js"], [4, 6, "D", "Ds**x"], [5, 6, "A", "A"],
                         [7, 8, "MV", "MVp"], [8, 10, "J", "Js"], [9, 10, "D", "Ds**c"], [11, 12, "RW", "RW"]]}


def with_word(parsed, index, word):
    words = list(parsed["words"])
    words[index] = word
    return {**parsed, "words": words}


def test_instances_of_constructed_parses():
    found = instance(RELATIVE, "The man who the women love is here.")
    assert (found.text, found.label, found.attractors, found.verb) == ("the man who the women love", 0, 1, "is")
    assert found.intervening == 1
    found = instance(PREPOSITION, "The keys to the old cabinet are on the table.")
    assert (found.text, found.label, found.attractors, found.verb) == ("the keys to the old cabinet", 1, 1, "are")
    assert found.intervening == 1


def test_what_is_not_an_instance():
    assert instance(None, "x") is None  # no linkage
    assert instance(with_word(RELATIVE, 7, "was.v"), "x") is None  # past tense carries no number in Linzen's sense
    assert instance(with_word(RELATIVE, 7, "is.v-d"), "x") is None  # not a present-tense tag
    assert instance(with_word(PREPOSITION, 7, "can.v"), "x") is None  # a modal
    assert instance(with_word(PREPOSITION, 2, "John[!<CAPITALIZED-WORDS>].n"), "x") is None  # unknown/proper
    assert instance(with_word(PREPOSITION, 2, "they"), "x") is None  # a pronoun subject
    assert instance(with_word(PREPOSITION, 7, "is.v"), "x") is None  # form disagrees with the Sp link: mis-parse


def test_signs_of_a_noun_read_as_the_verb():
    # "the keys to the old cabinet were are ...": a finite verb between subject and verb, no relativizer
    assert instance(with_word(PREPOSITION, 5, "were.v-d"), "x") is None
    # a verb inside a relative clause is fine (RELATIVE has "love.v" after "who"), one last before "." is not
    assert instance(RELATIVE, "x") is not None
    assert instance(with_word(RELATIVE, 8, "."), "x") is None


def test_noun_number_from_tags_and_links():
    assert noun_number(RELATIVE, 5) == 1  # women.p, Sp, Dmc
    assert noun_number(PREPOSITION, 6) == 0  # Js, Ds**x
    assert noun_number(PREPOSITION, 2) == 1  # Dmc, Sp (the M link's p is a preposition, not a number)
    assert noun_number(with_word(PREPOSITION, 6, "cabinet.p"), 6) is None  # contradictory


def test_verb_forms():
    assert agrees("is", 0) and agrees("likes", 0) and agrees("has", 0)
    assert agrees("are", 1) and agrees("like", 1) and agrees("discuss", 1)
    assert not agrees("likes", 1) and not agrees("are", 0)


def test_link_grammar_end_to_end():
    require(parser_available(), "link-grammar is not installed (run `make parser`)")
    sentences = ["The keys to the old cabinet are on the table.", "He said so."]
    parsed = parse(sentences)
    found = [instance(p, s) for p, s in zip(parsed, sentences)]
    assert (found[0].text, found[0].label, found[0].attractors) == ("the keys to the old cabinet", 1, 1)
    assert found[1] is None


def test_the_hand_check_is_read_and_its_precision_computed():
    check = precision_check()
    assert check["precision"] == 1 - len(check["errors"]) / check["n"] and check["n"] == 200
