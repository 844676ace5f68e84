"""Attention flow: xaudit's exact solver at BERT's lengths, and against the paper's networkx code.

Scaling (layers × tokens: 12×128, 12×256, 24×256, 12×512) on two kinds of attention, 8
heads averaged: random (Dirichlet rows) and peaked (softmax of Gaussian logits × 3, with
[CLS] and [SEP] getting +4 so that they absorb most attention), timed for what
``attention_flow`` returns (every layer) and for the last layer only (``layers=[L]``), next
to the figures measured before the warm-started solver. The oracle (networkx DiGraph,
Edmonds-Karp, last layer's CLS node to every input) runs where it fits in the budget, and
every timed result at those sizes is checked against it to 1e-8. Last, the all-pairs variant
(every node of every layer to every input) at (6, 32).

    python benchmarks/bench_flow.py [--oracle-budget SECONDS] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402
from tests.oracles import flow_networkx, peaked_attention, random_attention  # noqa: E402
from xaudit.attribution.flow import attention_flow  # noqa: E402

SCALING = [(12, 128), (12, 256), (24, 256), (12, 512)]
ORACLE_SIZES = [(6, 16), (6, 32), (12, 32), (12, 64)]
BEFORE_ALL_LAYERS = {(12, 128): 2.1, (12, 256): 4.7, (24, 256): 24.6, (12, 512): 51.5}
"""Seconds, random attention, every layer, with the Dinic solver before warm starts (issue 16)."""
KINDS = {"random": lambda rng, layers, n: random_attention(rng, layers, 8, n),
         "peaked": lambda rng, layers, n: peaked_attention(rng, layers, 8, n)}


def best_of(repeats: int, function) -> float:
    """Least wall-clock seconds of ``repeats`` runs."""
    return min(timed(function)[0] for _ in range(repeats))


def timed(function) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of the process) of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def oracle_rows(rng: np.random.Generator, budget: float) -> None:
    print(f"\n{'kind':>7} {'layers,n':>9} {'oracle s':>9} {'xaudit last s':>14} {'ratio':>8}")
    for kind, make in KINDS.items():
        previous = None
        for layers, n in ORACLE_SIZES:
            # Edmonds-Karp on this graph grows roughly like layers^2 * n^4.
            if previous is not None:
                (l0, n0), t0 = previous
                if t0 * (layers / l0) ** 2 * (n / n0) ** 4 > budget:
                    print(f"{kind:>7} {layers:>4},{n:<4} {'skipped':>9}   (over the {budget:.0f} s budget)")
                    continue
            attn = make(rng, layers, n)
            start = time.perf_counter()
            oracle = flow_networkx(attn, 0, layers_wanted=[layers])[-1]
            oracle_time = time.perf_counter() - start
            ours = attention_flow(attn, 0, layers=[layers])[-1]
            assert np.abs(oracle - ours).max() < 1e-8, "solver disagrees with the oracle"
            assert np.abs(attention_flow(attn, 0)[-1] - ours).max() == 0.0, "layers= differs from every layer"
            ours_time = best_of(5, lambda: attention_flow(attn, 0, layers=[layers]))
            previous = ((layers, n), oracle_time)
            print(f"{kind:>7} {layers:>4},{n:<4} {oracle_time:>9.2f} {ours_time:>14.4f} {oracle_time / ours_time:>7.0f}x")


def scaling_rows(rng: np.random.Generator, repeats: int) -> None:
    """Best of ``repeats`` by wall clock; CPU seconds (both threads) are less sensitive to a shared machine."""
    print(f"\n{'kind':>7} {'layers,n':>9} {'all layers s':>13} {'CPU s':>7} {'before s':>9} {'last layer s':>13} "
          f"{'CPU s':>7}   load")
    for kind, make in KINDS.items():
        for layers, n in SCALING:
            attn = make(rng, layers, n)
            every = min(timed(lambda: attention_flow(attn, 0)) for _ in range(repeats))
            last = min(timed(lambda: attention_flow(attn, 0, layers=[layers])) for _ in range(repeats))
            before = BEFORE_ALL_LAYERS.get((layers, n)) if kind == "random" else None
            print(f"{kind:>7} {layers:>4},{n:<4} {every[0]:>13.3f} {every[1]:>7.2f} {before if before else '-':>9} "
                  f"{last[0]:>13.3f} {last[1]:>7.2f}   {load()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle-budget", type=float, default=60.0,
                        help="skip an oracle size whose extrapolated time exceeds this many seconds")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs per scaling size")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"machine: {describe()}; {len(os.sched_getaffinity(0))} usable CPUs; {load()}")
    scaling_rows(rng, args.repeats)
    oracle_rows(rng, args.oracle_budget)
    attn = random_attention(rng, 6, 8, 32)
    print(f"\nall-pairs (6, 32), random: {best_of(3, lambda: attention_flow(attn, None)):.3f} s (paper's code: 278 s)")


if __name__ == "__main__":
    main()
