"""The cloze-fairness section: P@k of a masked LM per MozArt group and language, with the human baseline.

Tables as in Cabello Piqueras & Søgaard (2022), built by :func:`xaudit.render.cloze_tables.grids`.
"""

from __future__ import annotations

from pathlib import Path

from ..cloze import run_cloze
from ..cloze.audit import MOZART_FOLDER
from ..cloze.mozart import FILE_PATTERN, present_languages
from ..render.cloze_tables import grids
from ..progress import ProgressFn, silent
from .document import ClozeSection, TextTable

K_VALUES = (1, 5)
NOTES = {
    "Human baseline": "How often annotators wrote the word that was masked in the original sentence: "
                      "the human agreement the model's P@k should be read against.",
    "Annotations per cell": "Multi-word answers always count as misses for a model that fills one mask.",
    "Data checks": "What the loader dropped, could not put in a group, or normalised, by reason.",
}


def section(data_dir: Path | None, model: str, progress: ProgressFn = silent) -> tuple[ClozeSection | None,
                                                                                        list[Path]]:
    """The section's data (``None`` without MozArt) and the files it read."""
    folder = data_dir / MOZART_FOLDER if data_dir is not None else None
    languages = present_languages(folder) if folder is not None else []
    if not languages:
        return None, []
    files = [folder / FILE_PATTERN.format(language=lang) for lang in languages]
    result = run_cloze(mozart=folder, model=model, k_values=K_VALUES, languages=languages,
                       progress=lambda d, done, total: progress(f"cloze: {d}", done, total))
    tables = []
    for title, header, rows in grids(result):
        note = next((text for prefix, text in NOTES.items() if title.startswith(prefix)), "")
        tables.append(TextTable(title, header[0], header[1:], rows, note))
    description = (f"Masked language model {result.model} on MozArt ({result.n_sentences} cloze sentences, "
                   f"{result.n_annotations} annotations in {', '.join(l.upper() for l in languages)}). "
                   "P@k is the share of a group's annotators whose answer is among the model's k best whole-word "
                   "predictions; rows are groups (MN male native, FN female native, MNN male non-native, FNN female "
                   "non-native), the last column each group's mean over languages with its standard deviation, the "
                   "bottom row each language's mean over groups with σ_gd (population standard deviations).")
    return ClozeSection(description, tables, result), files
