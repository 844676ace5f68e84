"""The Abnar & Zuidema (2020) reproduction: Tables 1-2 under both protocols, and the paper's patterns checked.

``reproduce`` evaluates raw attention, rollout and flow against blank-out and input
gradients twice on the same sentences, once under each protocol (``protocols``), with the
degeneracy diagnostics (``diagnostics``); ``patterns`` tells which of the paper's
model-independent patterns hold in a table of means. ``reproduction_report`` renders it.

The patterns, for a table of means ``raw_l``, ``rollout_l``, ``flow_l`` over layers 1..L
(each threshold is ours, stated so that a reader can disagree):

- ``l1``: at L1, raw differs from rollout (|Δ| ≥ 0.01) while rollout equals flow (|Δ| < 0.01);
- ``dip``: raw dips at L3-L4 (``min(raw_3, raw_4) < 0.1``) and recovers by the last layer
  (``raw_L − min(raw_3, raw_4) ≥ 0.1``);
- ``above``: rollout and flow above raw at every layer from L3 on;
- ``flow_ge_rollout``: flow ≥ rollout at every layer from L3 on (the paper reports it against
  gradients, Table 2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..progress import ProgressFn, silent
from .runner import EvaluationResult

METHODS = ("attention", "rollout", "flow")
REFERENCES = ("blankout", "saliency")
PROTOCOL_NAMES = ("paper", "xaudit")
SAME = 0.01
DIP = 0.1

Means = Callable[[str, int], float | None]
"""``means(method, layer)``: a table's mean Spearman of ``method`` at ``layer`` (None: not computed)."""


@dataclass(frozen=True)
class Pattern:
    key: str
    text: str
    check: Callable[[Means, list[int]], bool | None]


def _all(values: Sequence[bool | None]) -> bool | None:
    return None if any(v is None for v in values) or not values else all(values)


def _l1(m: Means, layers: list[int]) -> bool | None:
    raw, rollout, flow = m("attention", 1), m("rollout", 1), m("flow", 1)
    if None in (raw, rollout, flow):
        return None
    return abs(raw - rollout) >= SAME and abs(rollout - flow) < SAME


def _dip(m: Means, layers: list[int]) -> bool | None:
    values = [m("attention", layer) for layer in (3, 4, layers[-1])]
    if None in values or layers[-1] <= 4:
        return None
    low = min(values[:2])
    return low < DIP and values[2] - low >= DIP


def _above(m: Means, layers: list[int]) -> bool | None:
    def higher(a: float | None, b: float | None) -> bool | None:
        return None if a is None or b is None else a > b

    return _all([higher(m(method, layer), m("attention", layer)) for layer in layers if layer >= 3
                 for method in ("rollout", "flow")])


def _flow_ge_rollout(m: Means, layers: list[int]) -> bool | None:
    return _all([None if m("flow", layer) is None or m("rollout", layer) is None
                 else m("flow", layer) >= m("rollout", layer) for layer in layers if layer >= 3])


PATTERNS = (
    Pattern("l1", f"at L1 raw ≠ rollout = flow (differences ≥ {SAME} and < {SAME})", _l1),
    Pattern("dip", f"raw dips at L3–L4 (below {DIP}) and recovers by the last layer (by ≥ {DIP})", _dip),
    Pattern("above", "rollout and flow above raw at every layer from L3 on", _above),
    Pattern("flow_ge_rollout", "flow ≥ rollout at every layer from L3 on", _flow_ge_rollout),
)


def result_means(result: EvaluationResult, reference: str) -> Means:
    """The means of ``result``'s Spearman measures against ``reference``."""
    def means(method: str, layer: int) -> float | None:
        summary = result.get(method, f"spearman_vs_{reference}", layer)
        return None if summary is None else summary.mean

    return means


@dataclass
class Reproduction:
    """Both protocols' evaluations of one model on the same sentences, with its card and the run's seconds."""

    results: dict[str, EvaluationResult]
    card: dict[str, Any]
    seconds: float
    extraction_check: dict[str, Any] | None = None
    """The hand check of the real sentences' extraction (``linzen.precision_check``), when the model read them."""

    @property
    def layers(self) -> list[int]:
        result = self.results["paper"]
        return sorted({s.layer for s in result.summaries if s.method in METHODS and s.layer is not None})


def reproduce(model: str = "gpt2-encoder", n: int = 2000, *, data_dir: Path | None = None, seed: int = 0,
              batch_size: int = 64, device: str = "cpu", progress: ProgressFn = silent) -> Reproduction:
    """Tables 1-2 of ``model`` on its first ``n`` held-out sentences under both protocols (diagnostics once)."""
    import time

    from .session import evaluate_model

    started = time.perf_counter()
    results, card = {}, {}
    for protocol in PROTOCOL_NAMES:
        results[protocol], card = evaluate_model(
            model, methods=list(METHODS), against=list(REFERENCES), n=n, data_dir=data_dir, stability_samples=0,
            removal=False, batch_size=batch_size, seed=seed, paper_tables=protocol == "paper", protocol=protocol,
            device=device, progress=progress)
    from ..datasets.linzen import precision_check

    real = str((card.get("data") or {}).get("generator", "")).endswith("linzen.splits")
    return Reproduction(results, card, time.perf_counter() - started, precision_check() if real else None)
