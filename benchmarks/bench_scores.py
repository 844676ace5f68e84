"""Benchmark: what score metrics add to a group audit read from Parquet in chunks.

The same rows audited twice from one Parquet file: with the decisions (``--pred-col``) and with the scores
(``--score-col``: counts plus per-group AUC, average precision, Brier, ECE, reliability and the threshold sweep,
which keep the label, score and group code of every row). Prints wall time and Python peak memory
(tracemalloc) of each, and their ratios, with the machine.

    .venv/bin/python benchmarks/bench_scores.py [--rows N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402
from xaudit.fairness import AuditSettings, Grouping, PredictionColumns, group_fairness, load_predictions  # noqa: E402


def measure(path: Path, columns: PredictionColumns) -> tuple[float, float]:
    """Seconds and peak MiB of reading ``path`` and auditing it."""
    tracemalloc.start()
    start = time.perf_counter()
    loaded = load_predictions(path, columns, Grouping(columns=("g",)))
    group_fairness(loaded.counts, AuditSettings(), scores=loaded.scores)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    rows = parser.parse_args().rows
    rng = np.random.default_rng(0)
    label = rng.integers(0, 2, rows)
    score = np.clip(rng.normal(0.4 + 0.2 * label, 0.2), 0, 1)
    frame = pd.DataFrame({"g": rng.choice(["a", "b", "c", "d"], rows), "y": label, "score": score,
                          "yhat": (score >= 0.5).astype(np.int8)})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rows.parquet"
        frame.to_parquet(path, index=False, row_group_size=1 << 20)
        del frame
        decisions = measure(path, PredictionColumns("y", "yhat"))
        scores = measure(path, PredictionColumns("y", score="score"))
    print(f"machine: {describe()}")
    print(f"{rows:,} rows, 4 groups, Parquet")
    print(f"decisions only: {decisions[0]:.2f} s, peak {decisions[1]:.0f} MiB")
    print(f"with scores:    {scores[0]:.2f} s, peak {scores[1]:.0f} MiB "
          f"({scores[0] / decisions[0]:.1f}x the time, {scores[1] / decisions[1]:.1f}x the memory; "
          f"{(scores[1] - decisions[1]) * 2**20 / rows:.0f} bytes a row more)")


if __name__ == "__main__":
    main()
