"""Benchmark: group fairness on 10 million rows, 4 groups, against fairlearn's MetricFrame.

Ours: confusion counts per group from the rows, then every metric (rates, parity gaps,
impact ratios, flags, tests) with 1,000-resample bootstrap intervals. fairlearn: a
``MetricFrame`` with selection rate, TPR and accuracy, no intervals, on the same rows (or on
``--fairlearn-rows`` of them, scaled linearly to the full size; the output says which).
Also timed: the same audit read from Parquet and CSV files in chunks.

    .venv/bin/python benchmarks/bench_group_fairness.py [--rows N] [--fairlearn-rows N] [--no-files]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402
from xaudit.fairness import AuditSettings, Grouping, PredictionColumns, group_fairness, load_predictions  # noqa: E402

GROUPS = np.array(["group_a", "group_b", "group_c", "group_d"])


def make_rows(n: int, seed: int = 0) -> pd.DataFrame:
    """Labels, predictions with a planted gap, 4 groups of unequal size (seeded)."""
    rng = np.random.default_rng(seed)
    group = rng.choice(len(GROUPS), size=n, p=[0.4, 0.3, 0.2, 0.1])
    y = (rng.random(n) < 0.4).astype(np.int8)
    y_hat = (rng.random(n) < np.where(y == 1, 0.8, 0.2) - 0.05 * group).astype(np.int8)
    return pd.DataFrame({"y": y, "yhat": y_hat, "group": GROUPS[group]})


def ours(source, n_boot: int) -> float:
    start = time.perf_counter()
    loaded = load_predictions(source, PredictionColumns("y", "yhat"), Grouping(columns=("group",)))
    group_fairness(loaded.counts, AuditSettings(n_boot=n_boot), source=loaded.describe())
    return time.perf_counter() - start


def fairlearn_time(frame: pd.DataFrame) -> float:
    from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate
    from sklearn.metrics import accuracy_score

    start = time.perf_counter()
    MetricFrame(metrics={"selection_rate": selection_rate, "tpr": true_positive_rate, "accuracy": accuracy_score},
                y_true=frame.y, y_pred=frame.yhat, sensitive_features=frame.group)
    return time.perf_counter() - start


def library_versions() -> str:
    import fairlearn
    import pyarrow

    return (f"numpy {np.__version__}; pandas {pd.__version__}; pyarrow {pyarrow.__version__}; "
            f"fairlearn {fairlearn.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--fairlearn-rows", type=int, default=None,
                        help="rows for fairlearn (default: all); fewer are timed and scaled linearly")
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--no-files", action="store_true", help="skip the Parquet and CSV timings")
    args = parser.parse_args()
    fairlearn_rows = min(args.fairlearn_rows or args.rows, args.rows)

    print(f"machine: {describe()}; {library_versions()}")
    frame = make_rows(args.rows)
    print(f"data: {args.rows:,} rows, {len(GROUPS)} groups, in memory (pandas DataFrame)")
    ours_s = ours(frame, args.n_boot)
    print(f"xaudit  all metrics + {args.n_boot:,}-resample intervals + tests: {ours_s:.2f} s "
          f"(goal: under 5 s)")
    if not args.no_files:
        with tempfile.TemporaryDirectory() as folder:
            for suffix in (".parquet", ".csv"):
                path = Path(folder) / f"rows{suffix}"
                frame.to_parquet(path, index=False) if suffix == ".parquet" else frame.to_csv(path, index=False)
                size = path.stat().st_size / 2**20
                print(f"xaudit  same, read from {suffix[1:]} ({size:,.1f} MiB) in chunks: "
                      f"{ours(path, args.n_boot):.2f} s")
    fair_s = fairlearn_time(frame.iloc[:fairlearn_rows])
    scaled = fair_s * args.rows / fairlearn_rows
    measured = "measured on all rows" if fairlearn_rows == args.rows else (
        f"measured on {fairlearn_rows:,} rows ({fair_s:.2f} s), scaled linearly to {args.rows:,}")
    print(f"fairlearn MetricFrame (selection rate, TPR, accuracy; no intervals): {scaled:.2f} s ({measured})")
    print(f"ratio fairlearn / xaudit: {scaled / ours_s:.0f}x")


if __name__ == "__main__":
    main()
