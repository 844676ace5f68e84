"""Model adapters and the reference-model registry.

The members load on first use, so that the torch-free parts (``summary``, ``registry``,
``kinds``) import without torch.
"""

from __future__ import annotations

from .._lazy import lazy_members

_HOMES = {"Batch": ".base", "ModelAdapter": ".base", "load_model": ".loading", "REFERENCE_MODELS": ".registry"}
__all__ = sorted(_HOMES)
__getattr__, __dir__ = lazy_members(__name__, _HOMES)
