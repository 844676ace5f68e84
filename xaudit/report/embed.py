"""Embedding data in HTML safely: JSON inside a ``<script type="application/json">`` element.

``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes (valid JSON, same value), so no
string in the data can close the script element or start markup; U+2028/9 are escaped too.
"""

from __future__ import annotations

import json
from typing import Any

EMBED_NOTE = ("Numbers rounded to 6 significant digits and per-layer attribution scores left out; the JSON file "
              "written beside this report holds the full results.")
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in _ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def embedded_view(report: dict[str, Any]) -> dict[str, Any]:
    """The report data as embedded in its HTML: rounded, without per-layer scores (see ``EMBED_NOTE``)."""
    view = _rounded(report)
    for block in view.get("explanations") or []:
        for example in block.get("examples") or []:
            example.pop("layer_scores", None)
    return {"embedded_note": EMBED_NOTE, **view}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value
