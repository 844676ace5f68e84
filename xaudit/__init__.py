"""xaudit: explainability and fairness audits for trained neural networks.

``xaudit.attention_rollout`` and ``xaudit.attention_flow`` (Abnar & Zuidema 2020) are
loaded on first use, so importing the package stays cheap.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__", "attention_flow", "attention_rollout"]


def __getattr__(name: str) -> Any:
    if name == "attention_flow":
        from .attribution.flow import attention_flow

        return attention_flow
    if name == "attention_rollout":
        from .attribution.rollout import attention_rollout

        return attention_rollout
    raise AttributeError(f"module 'xaudit' has no attribute {name!r}")
