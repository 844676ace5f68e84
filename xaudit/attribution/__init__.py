"""Attribution methods (shared/DESIGN.md §4) and their result type."""

from .base import METHODS, AttributionMethod, get_method
from .flow import attention_flow
from .result import Attribution
from .rollout import attention_rollout

__all__ = ["METHODS", "Attribution", "AttributionMethod", "attention_flow", "attention_rollout", "get_method"]
