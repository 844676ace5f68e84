"""Subject-verb number agreement data, generated from a small English grammar.

The task of Linzen, Dupoux & Goldberg (2016) as used by Abnar & Zuidema (2020):
the input is a sentence up to (not including) its main verb, the label is the number
of that verb (``singular`` / ``plural``), i.e. the number of the subject's head noun.

Grammar (every choice is uniform unless stated)::

    S        -> [FRONT ","] NP_subj MOD^m           m intervening nouns, 0 <= m <= 4
    FRONT    -> PREP NP                             (probability 0.2; its noun is not counted)
    NP       -> DET [ADJ] NOUN                      (adjective with probability 0.3)
    MOD      -> PREP NP                             prepositional phrase        (0.5)
              | "that" NP VERB_agree(NP)            object relative clause      (0.3)
              | "that" VERB_past NP                 subject relative clause     (0.2)

Determiners are number-neutral (``the``, ``my``, ``their`` ...). Each MOD adds exactly one
intervening noun; an *attractor* is an intervening noun whose number differs from the
subject's. The attractor count ``a`` is drawn uniformly from 0..4 and ``m`` uniformly from
a..4, so every attractor count is equally frequent. Object relatives use a present-tense
verb agreeing with their own subject (a misleading cue when that noun is an attractor);
subject relatives use the past tense, which carries no number. Sentences are lower case.

Splits hold distinct sentences: generated sentences are de-duplicated before splitting.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

LABELS = ("singular", "plural")

# (singular, plural) pairs, regular and irregular.
NOUNS: tuple[tuple[str, str], ...] = (
    ("author", "authors"), ("teacher", "teachers"), ("student", "students"), ("doctor", "doctors"),
    ("lawyer", "lawyers"), ("farmer", "farmers"), ("painter", "painters"), ("pilot", "pilots"),
    ("senator", "senators"), ("manager", "managers"), ("singer", "singers"), ("neighbour", "neighbours"),
    ("child", "children"), ("woman", "women"), ("man", "men"), ("mouse", "mice"), ("goose", "geese"),
    ("key", "keys"), ("cabinet", "cabinets"), ("book", "books"), ("letter", "letters"),
    ("picture", "pictures"), ("table", "tables"), ("window", "windows"), ("door", "doors"),
    ("car", "cars"), ("bridge", "bridges"), ("road", "roads"), ("house", "houses"),
    ("garden", "gardens"), ("tree", "trees"), ("dog", "dogs"), ("cat", "cats"), ("horse", "horses"),
    ("bird", "birds"), ("song", "songs"), ("report", "reports"), ("idea", "ideas"), ("plan", "plans"),
    ("rule", "rules"), ("law", "laws"), ("city", "cities"), ("country", "countries"),
    ("company", "companies"), ("school", "schools"), ("church", "churches"), ("box", "boxes"),
    ("dish", "dishes"), ("knife", "knives"), ("leaf", "leaves"), ("wolf", "wolves"),
    ("story", "stories"), ("baby", "babies"), ("lady", "ladies"), ("boss", "bosses"),
    ("bus", "buses"), ("glass", "glasses"), ("clock", "clocks"), ("hero", "heroes"),
    ("potato", "potatoes"), ("shelf", "shelves"), ("tooth", "teeth"), ("foot", "feet"),
    ("village", "villages"), ("museum", "museums"), ("painting", "paintings"), ("engine", "engines"),
)

# (third person singular present, base/plural present, past)
VERBS: tuple[tuple[str, str, str], ...] = (
    ("likes", "like", "liked"), ("sees", "see", "saw"), ("knows", "know", "knew"),
    ("admires", "admire", "admired"), ("hates", "hate", "hated"), ("loves", "love", "loved"),
    ("follows", "follow", "followed"), ("helps", "help", "helped"), ("visits", "visit", "visited"),
    ("watches", "watch", "watched"), ("finds", "find", "found"), ("meets", "meet", "met"),
    ("remembers", "remember", "remembered"), ("describes", "describe", "described"),
    ("avoids", "avoid", "avoided"), ("praises", "praise", "praised"), ("blames", "blame", "blamed"),
    ("trusts", "trust", "trusted"), ("calls", "call", "called"), ("chases", "chase", "chased"),
    ("fixes", "fix", "fixed"), ("carries", "carry", "carried"), ("builds", "build", "built"),
    ("writes", "write", "wrote"), ("reads", "read", "read"), ("paints", "paint", "painted"),
)

PREPOSITIONS: tuple[str, ...] = (
    "near", "behind", "beside", "under", "above", "with", "without", "from", "of", "to", "in",
    "on", "for", "by", "across", "around", "inside", "outside", "against", "among", "beyond",
    "over", "through",
)
ADJECTIVES: tuple[str, ...] = (
    "old", "young", "small", "large", "new", "red", "green", "tall", "short", "famous", "quiet",
    "busy", "happy", "strange", "empty", "heavy", "bright", "dark", "cheap", "beautiful",
)
DETERMINERS: tuple[str, ...] = ("the", "my", "your", "our", "their", "his", "her")
RELATIVIZER = "that"
MAX_NOUNS_BETWEEN = 4


@dataclass(frozen=True)
class AgreementExample:
    """One sentence prefix with its verb-number label and attractor count."""

    text: str
    label: int  # index into LABELS
    attractors: int
    intervening: int


def vocabulary() -> list[str]:
    """Every word the grammar can produce, sorted (plus the comma)."""
    words = {",", RELATIVIZER, *PREPOSITIONS, *ADJECTIVES, *DETERMINERS}
    for singular, plural in NOUNS:
        words.update((singular, plural))
    for verb_forms in VERBS:
        words.update(verb_forms)
    return sorted(words)


def _noun_phrase(rng: random.Random, plural: bool) -> list[str]:
    words = [rng.choice(DETERMINERS)]
    if rng.random() < 0.3:
        words.append(rng.choice(ADJECTIVES))
    words.append(rng.choice(NOUNS)[int(plural)])
    return words


def _modifier(rng: random.Random, plural: bool) -> list[str]:
    roll = rng.random()
    if roll < 0.5:
        return [rng.choice(PREPOSITIONS), *_noun_phrase(rng, plural)]
    if roll < 0.8:
        verb = rng.choice(VERBS)[1 if plural else 0]
        return [RELATIVIZER, *_noun_phrase(rng, plural), verb]
    return [RELATIVIZER, rng.choice(VERBS)[2], *_noun_phrase(rng, plural)]


def sample(rng: random.Random) -> AgreementExample:
    """Draw one example from the grammar."""
    attractors = rng.randint(0, MAX_NOUNS_BETWEEN)
    intervening = rng.randint(attractors, MAX_NOUNS_BETWEEN)
    subject_plural = rng.random() < 0.5
    words: list[str] = []
    if rng.random() < 0.2:
        words += [rng.choice(PREPOSITIONS), *_noun_phrase(rng, rng.random() < 0.5), ","]
    words += _noun_phrase(rng, subject_plural)
    opposite = set(rng.sample(range(intervening), attractors))
    for position in range(intervening):
        words += _modifier(rng, subject_plural != (position in opposite))
    return AgreementExample(" ".join(words), int(subject_plural), attractors, intervening)


def generate(n: int, seed: int) -> list[AgreementExample]:
    """``n`` distinct examples drawn with ``random.Random(seed)`` (platform independent)."""
    rng = random.Random(seed)
    seen: dict[str, AgreementExample] = {}
    while len(seen) < n:
        example = sample(rng)
        seen.setdefault(example.text, example)
    return list(seen.values())


@dataclass(frozen=True)
class AgreementSplits:
    train: list[AgreementExample]
    dev: list[AgreementExample]
    test: list[AgreementExample]


def splits(n_train: int, n_dev: int, n_test: int, seed: int) -> AgreementSplits:
    """Disjoint train/dev/test splits (no sentence occurs in two splits)."""
    examples = generate(n_train + n_dev + n_test, seed)
    random.Random(seed + 1).shuffle(examples)
    return AgreementSplits(
        examples[:n_train], examples[n_train : n_train + n_dev], examples[n_train + n_dev :]
    )
