"""One cloze fairness audit: MozArt -> top-k predictions -> P@k tables (Cabello Piqueras & Søgaard 2022)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import DataError, ParameterError
from ..paths import DATA_DIR_ENV, default_data_dir
from ..progress import ProgressFn, silent
from ..validation import check_choice, check_int
from .mozart import GROUPS, LANGUAGES, load_mozart, present_languages
from .tables import ClozeResult, cloze_result

DEFAULT_MODEL = "mlm"
MOZART_FOLDER = "mozart"


def check_options(k_values: Sequence[int], languages: Sequence[str], groups: Sequence[str]) -> None:
    """ParameterError for an empty list, k < 1, or an unknown language or group."""
    for name, values in (("k", k_values), ("languages", languages), ("groups", groups)):
        if not values:
            raise ParameterError(f"The {name!r} parameter must name at least one value. Got none instead.")
    for k in k_values:
        check_int("k", k, minimum=1)
    for language in languages:
        check_choice("language", language, LANGUAGES)
    for group in groups:
        check_choice("group", group, GROUPS)


def is_mozart_folder(path: str | Path) -> bool:
    """True for a folder holding at least one MozArt annotation file (``en_data_with_annotations.jsonl``, ...)."""
    return bool(present_languages(path))


def is_cloze_audit(*, data: str | Path | None, tabular_input: bool, groups: Sequence[str],
                   cloze_options: bool) -> bool:
    """Whether ``xaudit fairness`` means the cloze analysis rather than classifier group fairness.

    It does when ``data`` is a MozArt folder, or when no table is given (``tabular_input``
    false) and either a cloze-only option is set or every requested group is a MozArt
    group (MN, FN, MNN, FNN); then the data is the default MozArt folder.
    """
    if data is not None:
        return is_mozart_folder(data)
    if tabular_input:
        return False
    return cloze_options or (bool(groups) and all(group in GROUPS for group in groups))


def _default_folder() -> Path:
    root = default_data_dir()
    if root is None:
        raise DataError(f"no MozArt folder given: pass `mozart` (the mozart/ folder) or set {DATA_DIR_ENV}")
    return root / MOZART_FOLDER


def run_cloze(*, mozart: str | Path | None = None, model: str | None = None, k_values: Sequence[int] = (1, 5),
              languages: Sequence[str] = LANGUAGES, groups: Sequence[str] = GROUPS,
              predictions: str | Path | None = None, save_predictions: str | Path | None = None,
              batch_size: int = 64, device: str = "cpu", progress: ProgressFn = silent) -> ClozeResult:
    """Audit a masked LM (or a predictions file) on MozArt.

    ``mozart`` is the MozArt folder (default ``mozart/`` in ``paths.default_data_dir()``). With
    ``predictions`` no model is loaded; otherwise ``model`` (default ``mlm``: a reference
    name, folder or hub id) predicts the top ``max(k_values)`` words once per sentence,
    and ``save_predictions`` keeps them as a predictions file.
    """
    check_options(k_values, languages, groups)
    if predictions is not None and (model is not None or save_predictions is not None):
        raise ParameterError("predictions from a file need no model: drop `model`/`save_predictions`, or drop "
                             "`predictions`")
    if predictions is None:
        from ..models.summary import summarize

        summarize(model or DEFAULT_MODEL)  # an unknown model is refused before MozArt is read
    folder = Path(mozart) if mozart is not None else _default_folder()
    dataset = load_mozart(folder, tuple(languages))
    from .predict import load_predictions, predict_top_k, write_predictions  # torch

    if predictions is not None:
        top = load_predictions(predictions)
        source = f"predictions file {Path(predictions).name}"
    else:
        from ..models import load_model

        adapter = load_model(model or DEFAULT_MODEL, device=device)
        top = predict_top_k(adapter, dataset.sentences, max(k_values), batch_size=batch_size, progress=progress)
        source = adapter.name
        if save_predictions is not None:
            write_predictions(save_predictions, top, model=source)
    return cloze_result(dataset, top, k_values, groups, languages, source)
