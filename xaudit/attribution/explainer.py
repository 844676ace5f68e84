"""A picklable explainer for batch engines: one model load per worker, explanations as JSON text per row.

    import ray
    from xaudit import Explainer

    ray.data.read_json("inputs/").map_batches(
        Explainer, fn_constructor_kwargs={"model": "bert", "methods": "saliency,rollout"},
        batch_size=64, concurrency=2,
    ).write_json("explained/")

``Explainer`` holds the model's name and the methods' settings, not the model: it loads the model on
first use in the process that calls it (a Ray actor loads it once and keeps it), and pickles without
it. A batch is a mapping of columns (Ray's default ``dict`` of arrays, or a pandas DataFrame) with a
``text`` column and an ``id`` column; the result has ``id`` and ``explanation``, the JSON text of
each input's :class:`~xaudit.attribution.explain.Explanation`, which :func:`read_explanations` reads back
from the JSON Lines parts an engine writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import DataError, ParameterError
from ..jsonl import iter_objects
from .explain import Explanation


class Explainer:
    """Explain batches of texts with ``methods`` (names, comma separated or a list) of ``model``.

    ``device``: ``auto`` (the GPU when the worker has one), ``cpu`` or ``cuda``; ``options`` go to
    :func:`~xaudit.attribution.explain.explain` (``target``, ``layer``, ``words``, ``batch_size``, ``seed``);
    ``method_params`` to the methods (as ``get_method``'s keyword arguments).
    """

    def __init__(self, model: str, methods: str | Iterable[str] = "saliency", *, device: str = "auto",
                 text_column: str = "text", id_column: str = "id", method_params: Mapping[str, Any] | None = None,
                 **options: Any) -> None:
        from .registry import build_methods

        self.model, self.device = model, device
        self.method_names = [m.strip() for m in (methods.split(",") if isinstance(methods, str) else methods)]
        self.text_column, self.id_column = text_column, id_column
        self.method_params, self.options = dict(method_params or {}), dict(options)
        self._methods = build_methods(self.method_names, self.method_params)  # unknown names fail here, early
        self._adapter: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key not in ("_adapter", "_methods")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        from .registry import build_methods

        self.__dict__.update(state)
        self._methods = build_methods(self.method_names, self.method_params)
        self._adapter = None

    @property
    def adapter(self) -> Any:
        """The model, loaded on first use in this process."""
        if self._adapter is None:
            import torch

            from ..models import load_model

            device = ("cuda" if torch.cuda.is_available() else "cpu") if self.device == "auto" else self.device
            self._adapter = load_model(self.model, device=device)
        return self._adapter

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[str]]:
        from .explain import explain

        missing = [c for c in (self.text_column, self.id_column) if c not in batch]
        if missing:
            raise DataError(f"the batch has no {missing[0]!r} column; its columns: {', '.join(map(str, batch))}")
        texts = [str(t) for t in batch[self.text_column]]
        ids = [str(i) for i in batch[self.id_column]]
        explanations = explain(self.adapter, texts, self._methods, ids=ids, **self.options)
        return {"id": ids, "explanation": [json.dumps(e.to_dict()) for e in explanations]}


def read_explanations(paths: str | Path | Iterable[str | Path]) -> list[Explanation]:
    """Explanations from JSON Lines files (or folders of them): lines an :class:`Explainer` made (``explanation``
    holds the JSON text) or ``xaudit attribute --format jsonl`` wrote (each line one explanation)."""
    files = []
    for path in [paths] if isinstance(paths, (str, Path)) else paths:
        path = Path(path)
        files += sorted(p for p in path.iterdir() if p.suffix in (".json", ".jsonl")) if path.is_dir() else [path]
    if not files:
        raise ParameterError(f"no .json or .jsonl files in {paths}")
    explanations = []
    for file in files:
        for _, record in iter_objects(file):
            text = record.get("explanation")
            explanations.append(Explanation.from_dict(json.loads(text) if isinstance(text, str) else record))
    return explanations
