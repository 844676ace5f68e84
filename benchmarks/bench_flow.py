"""Attention flow: xaudit's exact solver vs the paper's networkx construction (the oracle).

Random row-stochastic attention with 8 heads. The oracle follows Abnar & Zuidema's code:
a networkx DiGraph of the layered attention graph and Edmonds-Karp max flow from the
last layer's CLS node to every input token. xaudit is timed on the same problem (last
layer) and on what ``attention_flow`` returns (every layer). The all-pairs variant (every
node of every layer to every input) is timed at (6, 32).

    python benchmarks/bench_flow.py [--oracle-budget SECONDS] [--all-pairs-oracle]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402
from tests.oracles import flow_networkx, random_attention  # noqa: E402
from xaudit.attribution.attention_graph import attention_batch, with_residual  # noqa: E402
from xaudit.attribution.flow import attention_flow, raw_flows  # noqa: E402

SIZES = [(6, 16), (6, 32), (12, 32), (12, 64), (12, 128)]
PAPER_SECONDS = {(6, 16): 0.28, (6, 32): 3.4, (12, 32): 16.0, (12, 64): 292.0}


def best_of(repeats: int, function) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def last_layer_flow(attn: np.ndarray) -> np.ndarray:
    caps = with_residual(attention_batch(attn)[0][0])
    flows = raw_flows(caps, [(len(caps), 0)])
    return flows / flows.sum(axis=-1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle-budget", type=float, default=400.0,
                        help="skip the oracle where its extrapolated time exceeds this many seconds")
    parser.add_argument("--all-pairs-oracle", action="store_true", help="also time the all-pairs oracle (minutes)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"machine: {describe()}")
    print(f"{'layers,n':>9} {'oracle s':>9} {'paper s':>8} {'xaudit last s':>14} {'ratio':>9} {'xaudit all layers s':>20}")
    previous = None
    for layers, n in SIZES:
        attn = random_attention(rng, layers, 8, n)
        ours_last = best_of(5, lambda: last_layer_flow(attn))
        ours_all = best_of(3, lambda: attention_flow(attn, 0))
        # Edmonds-Karp on this graph grows roughly like layers^2 * n^4 (n sinks, paths through layers*n^2 edges).
        estimate = None if previous is None else previous[1] * (layers / previous[0][0]) ** 2 * (n / previous[0][1]) ** 4
        if estimate is not None and estimate > args.oracle_budget:
            print(f"{layers:>4},{n:<4} {'skipped':>9} {PAPER_SECONDS.get((layers, n), float('nan')):>8.2f} "
                  f"{ours_last:>14.4f} {'':>9} {ours_all:>20.4f}   oracle skipped: ~{estimate / 60:.0f} min extrapolated")
            continue
        start = time.perf_counter()
        oracle = flow_networkx(attn, 0, layers_wanted=[layers])[-1]
        oracle_time = time.perf_counter() - start
        assert np.abs(oracle - last_layer_flow(attn)[0]).max() < 1e-8, "solver disagrees with the oracle"
        previous = ((layers, n), oracle_time)
        print(f"{layers:>4},{n:<4} {oracle_time:>9.2f} {PAPER_SECONDS.get((layers, n), float('nan')):>8.2f} "
              f"{ours_last:>14.4f} {oracle_time / ours_last:>8.0f}x {ours_all:>20.4f}")
    attn = random_attention(rng, 6, 8, 32)
    ours = best_of(3, lambda: attention_flow(attn, None))
    line = f"all-pairs (6,32): xaudit {ours:.3f} s (paper's code: 278 s)"
    if args.all_pairs_oracle:
        start = time.perf_counter()
        oracle = flow_networkx(attn, None)
        oracle_time = time.perf_counter() - start
        assert np.abs(oracle - attention_flow(attn, None)).max() < 1e-8
        line += f"; oracle {oracle_time:.1f} s; ratio {oracle_time / ours:.0f}x"
    print(line)


if __name__ == "__main__":
    main()
