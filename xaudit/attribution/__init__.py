"""Attribution methods, their registry and their result type."""

from .base import AttributionMethod
from .flow import attention_flow
from .registry import METHODS, get_method, method_options
from .result import Attribution
from .rollout import attention_rollout

__all__ = ["METHODS", "Attribution", "AttributionMethod", "attention_flow", "attention_rollout", "get_method",
           "method_options"]
