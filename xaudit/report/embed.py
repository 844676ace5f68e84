"""Embedding data in HTML safely: JSON inside a ``<script type="application/json">`` element.

``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes (valid JSON, same value), so no
string in the data can close the script element or start markup; U+2028/9 are escaped too.
"""

from __future__ import annotations

import json
from typing import Any

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in _ESCAPES.items():
        text = text.replace(raw, escaped)
    return text
