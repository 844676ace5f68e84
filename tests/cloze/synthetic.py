"""Builders of synthetic MozArt rows and corpus files for the cloze tests."""

from __future__ import annotations

import json
import random
from pathlib import Path

BASE_ROW = {
    "s_id": "1", "text": "the cat [MASK] on the mat .", "true_mask": "sat", "tag": "VERB", "mask": "sat",
    "u_id": "u1", "native": 1, "nonnative": 0, "male": 1, "female": 0, "age": 30,
    "country_of_birth": "X", "current_country_of_residence": "X", "first_language": "English",
    "fluent_languages": "English, Spanish", "nationality": "X", "time_taken": 100.0,
}

WORDS = {
    "en": "the a cat dog house sees likes small big old red green runs sleeps and with".split(),
    "es": "el la gato perro casa ve quiere pequeño grande viejo rojo verde corre duerme y con".split(),
    "de": "der die katze hund haus sieht mag klein groß alt rot grün läuft schläft und mit".split(),
    "fr": "le la chat chien maison voit aime petit grand vieux rouge vert court dort et avec".split(),
}
LEIPZIG_CODES = {"en": "eng", "es": "spa", "de": "deu", "fr": "fra"}


def row(**overrides) -> dict:
    """A valid MozArt row with ``overrides`` applied."""
    return {**BASE_ROW, **overrides}


def write_mozart(folder: Path, rows_by_language: dict[str, list[dict]]) -> Path:
    """Write ``{language}_data_with_annotations.jsonl`` files (NaN written as bare NaN, like the data)."""
    folder.mkdir(parents=True, exist_ok=True)
    for language, rows in rows_by_language.items():
        lines = [json.dumps(r, ensure_ascii=False) for r in rows]
        (folder / f"{language}_data_with_annotations.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def sentences(language: str, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS[language]) for _ in range(rng.randint(5, 12))) + " ." for _ in range(n)]


def gutenberg_book(title: str, body: list[str]) -> str:
    paragraphs = "\n\n".join(body)
    return (f"\ufeffThe Project Gutenberg eBook of {title}\nThis ebook is for the use of anyone anywhere.\n\n"
            f"*** START OF THE PROJECT GUTENBERG EBOOK {title.upper()} ***\n\n{paragraphs}\n\n"
            f"*** END OF THE PROJECT GUTENBERG EBOOK {title.upper()} ***\n\nSECRET LICENCE FOOTER donations\n")
