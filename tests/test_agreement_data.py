"""The agreement grammar: labels and attractor counts checked by re-parsing each sentence."""

from __future__ import annotations

import random

from xaudit.datasets import agreement

NUMBER = {form: index for pair in agreement.NOUNS for index, form in enumerate(pair)}


def parse(text: str) -> tuple[int, int, int]:
    """(subject number, intervening nouns, attractors) read off the words alone."""
    words = text.split()
    if "," in words:  # fronted phrase: the subject starts after the comma
        words = words[words.index(",") + 1 :]
    nouns = [NUMBER[w] for w in words if w in NUMBER]
    subject, rest = nouns[0], nouns[1:]
    return subject, len(rest), sum(n != subject for n in rest)


def test_labels_and_attractors_match_an_independent_parse():
    for example in agreement.generate(3000, seed=5):
        subject, intervening, attractors = parse(example.text)
        assert example.label == subject, example.text
        assert example.intervening == intervening, example.text
        assert example.attractors == attractors, example.text


def test_splits_are_disjoint_and_sized():
    data = agreement.splits(500, 100, 200, seed=3)
    sets = [{e.text for e in part} for part in (data.train, data.dev, data.test)]
    assert [len(s) for s in sets] == [500, 100, 200]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])


def test_generation_is_seeded_and_covers_every_attractor_count():
    first, second = agreement.generate(400, seed=9), agreement.generate(400, seed=9)
    assert first == second
    assert {e.attractors for e in first} == set(range(agreement.MAX_NOUNS_BETWEEN + 1))
    assert {e.label for e in first} == {0, 1}


def test_every_generated_word_is_in_the_vocabulary():
    vocab = set(agreement.vocabulary())
    rng = random.Random(0)
    for _ in range(2000):
        assert set(agreement.sample(rng).text.split()) <= vocab
