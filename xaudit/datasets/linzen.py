"""Real subject-verb agreement sentences from the English corpus, following Linzen, Dupoux & Goldberg (2016).

Each English sentence of the shared corpus (Leipzig news/Wikipedia/web, one per line, and
the Gutenberg books split at sentence ends), 4-25 words, is parsed by link-grammar
(Debian's ``python3-link-grammar`` and ``link-grammar-dictionaries-en``: ``make parser``),
run by the system Python (``_link_parse.py``). An instance is kept when:

- the main clause's subject (the word the LEFT-WALL's ``Wd`` link reaches) is a common noun:
  a noun tag (``.n``, ``.n-u``, ``.p``, ``.s``), lower case, known to the dictionary;
- it links to a present-tense verb (tag ``.v``; no modal, no ``was``/``were``) by an ``S``
  link whose verb-side label carries number: ``Ss…`` singular, ``Sp…`` plural (the label),
  and the verb's form agrees with it (``is``/``has``/``does``/-s singular; a check against mis-parses);
- no sign of a noun parsed as the verb: no finite verb between subject and verb outside a
  relative clause, and the verb is not the sentence's last word (both cost a few true instances);
- the subject comes before the verb (``S`` links always run left to right).

The input is the sentence up to (not including) the verb, lower case, words as
link-grammar split them; attractors are the nouns between subject and verb whose number,
read off their own links (``Ss/Sp``, ``Js/Jp``, ``Os/Op``, ``Ds``/``Dmu`` singular, ``Dmc``
plural, tag ``.p`` plural), differs from the subject's. The parses are cached under
the cache folder (``paths.cache_dir``), keyed by the corpus files' hashes and ``PARSE_VERSION``;
never commit them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_text
from ..errors import DataError
from .corpus import gutenberg_paragraphs

PARSE_VERSION = 1
PARSER_PYTHON = "/usr/bin/python3"
MIN_WORDS, MAX_WORDS = 4, 25
RELATIVIZERS = frozenset({"who", "whom", "whose", "which", "that"})
NOUN_TAGS = frozenset({"n", "n-u", "p", "s"})
NO_AGREEMENT = frozenset({"can", "could", "will", "would", "shall", "should", "may", "might", "must", "was", "were"})
_MARK = re.compile(r"\[[^\]]*\]")
_TAG = re.compile(r"[a-z]+(-[a-z]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘'])")


@dataclass(frozen=True)
class RealAgreement:
    """One corpus sentence prefix with its verb's number (0 singular, 1 plural) and attractor count."""

    text: str
    label: int
    attractors: int
    intervening: int
    """Nouns between subject and verb, of either number."""
    verb: str
    sentence: str


def parser_available(python: str = PARSER_PYTHON) -> bool:
    """Whether ``python`` imports link-grammar with its English dictionary."""
    if shutil.which(python) is None:
        return False
    probe = subprocess.run([python, "-c", "import linkgrammar; linkgrammar.Dictionary('en')"],
                           capture_output=True, check=False)
    return probe.returncode == 0


def parse(sentences: Sequence[str], python: str = PARSER_PYTHON) -> list[dict | None]:
    """link-grammar's linkage of each sentence (``_link_parse.py``'s JSON), None where it found none."""
    script = Path(__file__).with_name("_link_parse.py")
    done = subprocess.run([python, str(script)], input="\n".join(sentences) + "\n", capture_output=True,
                          text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{") or line == "null"]  # not its notes
    if done.returncode != 0 or len(lines) != len(sentences):
        raise DataError(f"link-grammar failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return [json.loads(line) for line in lines]


def _split(word: str) -> tuple[str, str]:
    """``"keys.n"`` -> ``("keys", "n")``; untagged words (punctuation) get ``""``, words unknown to the
    dictionary (``"cialis[!<…>]"``, guessed by link-grammar) ``"?"``, whatever their guessed tag."""
    unknown = "[" in word
    word = _MARK.sub("", word)
    base, dot, tag = word.rpartition(".")
    base, tag = (base, tag) if dot and base and _TAG.fullmatch(tag) else (word, "")
    return base, "?" if unknown else tag


def agrees(verb: str, label: int) -> bool:
    """Whether the verb's form shows the number ``label``: singular ``is``/``has``/``does``/…-s, plural not."""
    singular = verb in ("is", "has", "does") or (verb.endswith("s") and not verb.endswith("ss"))
    return singular != bool(label) and verb not in ("am",)


def _own_labels(parsed: dict, index: int) -> list[str]:
    return [left_label if left == index else right_label for left, right, left_label, right_label in parsed["links"]
            if index in (left, right)]


def noun_number(parsed: dict, index: int) -> int | None:
    """0 singular, 1 plural, from the noun's tag and its own link labels; None if unknown or contradictory."""
    _, tag = _split(parsed["words"][index])
    seen = {1} if tag == "p" else set()
    for label in _own_labels(parsed, index):
        if label[:1] in "SJO" and label[1:2] in ("s", "p"):
            seen.add(int(label[1] == "p"))
        elif label.startswith(("Ds", "Dmu")):
            seen.add(0)
        elif label.startswith("Dmc"):
            seen.add(1)
    return seen.pop() if len(seen) == 1 else None


def _misparsed(words: Sequence[str], subject: int, verb: int) -> bool:
    """Signs of a noun read as the verb: a finite verb between subject and verb outside a relative clause
    (no relativizer before it), or the verb last before the final punctuation."""
    relative = False
    for word in words[subject + 1 : verb]:
        base, tag = _split(word)
        relative = relative or base.lower() in RELATIVIZERS
        if tag in ("v", "v-d") and not relative:
            return True
    after = _split(words[verb + 1])[0] if verb + 1 < len(words) else ""
    return after in (".", "!", "?", "RIGHT-WALL")


def instance(parsed: dict | None, sentence: str) -> RealAgreement | None:
    """The agreement instance of one parsed sentence (see the module docstring), or None."""
    if parsed is None:
        return None
    words = parsed["words"]
    subjects = [right for left, right, _, right_label in parsed["links"] if left == 0 and right_label.startswith("Wd")]
    for left, right, _, right_label in parsed["links"]:
        if left not in subjects or not right_label.startswith(("Ss", "Sp")):
            continue
        subject, subject_tag = _split(words[left])
        verb, verb_tag = _split(words[right])
        if subject_tag not in NOUN_TAGS or not subject.isalpha() or not subject.islower():
            return None
        label = int(right_label.startswith("Sp"))
        if verb_tag != "v" or verb.lower() in NO_AGREEMENT or not agrees(verb.lower(), label):
            return None
        if _misparsed(words, left, right):
            return None
        nouns = [k for k in range(left + 1, right) if _split(words[k])[1] in NOUN_TAGS]
        attractors = sum(1 for k in nouns if noun_number(parsed, k) == 1 - label)
        prefix = " ".join(_split(w)[0] for w in words[1:right]).lower()
        return RealAgreement(prefix, label, attractors, len(nouns), verb.lower(), sentence)
    return None


def english_sentences(corpus_dir: Path) -> list[str]:
    """English sentences of 4-25 words: Leipzig lines (id removed) and Gutenberg books split at sentence ends."""
    sentences: list[str] = []
    for path in sorted((corpus_dir / "leipzig").glob("eng*.txt")):
        sentences += [line.split("\t", 1)[-1].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    for path in sorted((corpus_dir / "gutenberg").glob("en_*.txt")):
        for paragraph in gutenberg_paragraphs(path.read_text(encoding="utf-8"), str(path)):
            sentences += _SENTENCE_END.split(paragraph)
    return [s for s in sentences if MIN_WORDS <= len(s.split()) <= MAX_WORDS]


def _fingerprint(corpus_dir: Path) -> str:
    digest = hashlib.sha256(f"v{PARSE_VERSION} {MIN_WORDS}-{MAX_WORDS}".encode())
    for path in sorted([*(corpus_dir / "leipzig").glob("eng*.txt"), *(corpus_dir / "gutenberg").glob("en_*.txt")]):
        digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def parsed_corpus(corpus_dir: Path, cache_dir: Path, chunk: int = 2000) -> list[tuple[str, dict | None]]:
    """Every English sentence under ``corpus_dir`` with its linkage, parsed once and cached in ``cache_dir``."""
    cached = cache_dir / f"linzen-parses-{_fingerprint(corpus_dir)}.jsonl"
    if cached.exists():
        rows = [json.loads(line) for line in cached.read_text(encoding="utf-8").splitlines()]
        return [(row["sentence"], row["parse"]) for row in rows]
    if not parser_available():
        raise DataError("real agreement sentences need link-grammar (Debian's python3-link-grammar and "
                        "link-grammar-dictionaries-en): run `make parser`")
    sentences = english_sentences(corpus_dir)
    parses = [p for start in range(0, len(sentences), chunk) for p in parse(sentences[start : start + chunk])]
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_text(cached, "".join(json.dumps({"sentence": s, "parse": p}) + "\n" for s, p in zip(sentences, parses)))
    return list(zip(sentences, parses))


def extract(corpus_dir: Path, cache_dir: Path) -> list[RealAgreement]:
    """Every instance in the English corpus under ``corpus_dir``, one per distinct input text, in corpus order."""
    return dedupe(x for x in (instance(p, s) for s, p in parsed_corpus(corpus_dir, cache_dir)) if x is not None)


def dedupe(examples: Iterable[RealAgreement]) -> list[RealAgreement]:
    """One instance per input text (the first), in order."""
    seen: dict[str, RealAgreement] = {}
    for example in examples:
        seen.setdefault(example.text, example)
    return list(seen.values())


@dataclass(frozen=True)
class RealSplits:
    train: list[RealAgreement]
    dev: list[RealAgreement]
    test: list[RealAgreement]
    fingerprint: str


def splits(corpus_dir: Path, cache_dir: Path, n_test: int, n_dev: int, seed: int) -> RealSplits:
    """The extracted instances shuffled with ``random.Random(seed)``: the first ``n_test`` (or a third of
    them, if fewer) for test, the next ``n_dev`` (or a tenth) for dev, the rest for training."""
    import random

    examples = extract(corpus_dir, cache_dir)
    random.Random(seed).shuffle(examples)
    n_test = min(n_test, len(examples) // 3)
    n_dev = min(n_dev, len(examples) // 10)
    return RealSplits(examples[n_test + n_dev :], examples[n_test : n_test + n_dev], examples[:n_test],
                      _fingerprint(corpus_dir))


def precision_check() -> dict:
    """The hand check of the extraction's precision (``linzen_precision.json``): sample, criterion, errors found."""
    check = json.loads(Path(__file__).with_name("linzen_precision.json").read_text(encoding="utf-8"))
    return check | {"precision": 1 - len(check["errors"]) / check["n"]}
