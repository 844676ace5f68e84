"""Model adapters and the reference-model registry."""

from .base import Batch, ModelAdapter
from .loading import load_model
from .registry import REFERENCE_MODELS

__all__ = ["Batch", "ModelAdapter", "load_model", "REFERENCE_MODELS"]
