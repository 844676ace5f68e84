"""Cloze fairness: per-demographic P@k of masked LMs on MozArt (Cabello Piqueras & Søgaard 2022)."""

from .audit import is_cloze_audit, is_mozart_folder, run_cloze
from .mozart import GROUPS, LANGUAGES, ClozeData, load_mozart
from .predict import load_predictions, predict_top_k, write_predictions
from .tables import ClozeResult, cloze_result

__all__ = [
    "GROUPS", "LANGUAGES", "ClozeData", "ClozeResult", "cloze_result", "is_cloze_audit", "is_mozart_folder",
    "load_mozart", "load_predictions", "predict_top_k", "run_cloze", "write_predictions",
]
