"""Model cards: the JSON beside every checkpoint (config, data recipe, seed, metrics, device)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import ModelError

CARD_FILE = "card.json"


def read_card(folder: str | Path) -> dict[str, Any] | None:
    """The card in ``folder``, or None when there is none."""
    path = Path(folder) / CARD_FILE
    if not path.exists():
        return None
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"model card {path} is unreadable: {exc}") from None
    if not isinstance(card, dict):
        raise ModelError(f"model card {path} is not a JSON object")
    return card


def write_card(folder: str | Path, card: dict[str, Any]) -> None:
    atomic.write_text(Path(folder) / CARD_FILE, json.dumps(card, indent=2, sort_keys=True) + "\n")
