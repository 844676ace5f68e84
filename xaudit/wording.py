"""Messages as written English: "an image model", "1 group has", "3 groups have"."""

from __future__ import annotations


def article(word: str) -> str:
    """"a" or "an" before ``word``."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number it takes: ``count(1, "file")`` is "1 file"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
