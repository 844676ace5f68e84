"""Cloze fairness: per-demographic P@k of masked LMs on MozArt (Cabello Piqueras & Søgaard 2022).

The members load on first use: ``predict`` needs torch, the option checks do not.
"""

from __future__ import annotations

from .._lazy import lazy_members

_HOMES = {
    "is_cloze_audit": ".audit", "is_mozart_folder": ".audit", "run_cloze": ".audit",
    "GROUPS": ".mozart", "LANGUAGES": ".mozart", "ClozeData": ".mozart", "load_mozart": ".mozart",
    "load_predictions": ".predict", "predict_top_k": ".predict", "write_predictions": ".predict",
    "ClozeResult": ".tables", "cloze_result": ".tables",
}
__all__ = sorted(_HOMES)
__getattr__, __dir__ = lazy_members(__name__, _HOMES)
