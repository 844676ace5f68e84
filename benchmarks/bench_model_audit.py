"""Time and peak memory of auditing a tabular model's own decisions (``xaudit fairness --model``).

1. All of UCI Adult (32,561 rows) with the shipped ``income``: the group audit alone, and with
   counterfactual flips (sex) and attribution by group (ig, 2,000 rows), each a fresh
   ``xaudit`` process; beside them fairlearn's ``MetricFrame`` on the same decisions (the
   reference library for the group rates, timed in this process).
2. Flat memory: synthetic tables of 10 thousand to 1 million rows (Adult rows drawn with
   replacement, seeded) audited with counterfactual flips; the peak resident memory should
   not grow with the rows, since the table is read a chunk at a time.

Run: ``python benchmarks/bench_model_audit.py --data-dir ../shared/data`` (the tables are
written to a temporary folder and removed).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.machine import describe  # noqa: E402

XAUDIT = str(Path(sys.executable).with_name("xaudit"))
MEASURE = ("import json, resource, subprocess, sys, time; start = time.perf_counter(); "
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
           "print(json.dumps([code, time.perf_counter() - start, "
           "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))")
"""Runs a command in a fresh process and prints its exit code, wall seconds and peak RSS (MiB)."""


def measured(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of ``xaudit ARGS`` (which must succeed)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, XAUDIT, *args], capture_output=True, text=True, check=True)
    code, seconds, mib = json.loads(out.stdout)
    if code:
        raise SystemExit(f"xaudit {' '.join(args)} failed with exit code {code}")
    return seconds, mib


def fairlearn_seconds(decisions: Path) -> float:
    from fairlearn.metrics import (MetricFrame, false_positive_rate, selection_rate, true_positive_rate)
    from sklearn.metrics import accuracy_score

    frame = pd.read_csv(decisions)
    y = (frame["income-per-year"].astype(str) == ">50K").astype(int)
    y_hat = (frame["prediction"].astype(str) == ">50K").astype(int)
    start = time.perf_counter()
    MetricFrame(metrics={"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate,
                         "accuracy": accuracy_score}, y_true=y, y_pred=y_hat, sensitive_features=frame["sex"])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--sizes", default="10000,100000,1000000")
    args = parser.parse_args()
    adult = args.data_dir / "adult" / "adult.csv"
    if not adult.is_file():
        raise SystemExit(f"{adult} not found: give --data-dir, the shared data folder")
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        out, decisions = Path(tmp) / "out.json", Path(tmp) / "decisions.csv"
        base = ["fairness", "--model", "income", "--data", str(adult), "-f", "json", "-o", str(out)]
        group, group_mib = measured([*base, "--save-predictions", str(decisions)])
        reference = fairlearn_seconds(decisions)
        print(f"Adult, 32,561 rows: group audit (model run + rates + intervals + tests) {group:.2f} s, "
              f"{group_mib:.0f} MiB; fairlearn MetricFrame on the same decisions (rates only) {reference:.3f} s")
        full, full_mib = measured([*base, "--counterfactual", "sex", "--explain", "ig"])
        print(f"Adult, 32,561 rows: + counterfactual sex + attribution by group (ig, 2,000 rows) {full:.2f} s, "
              f"{full_mib:.0f} MiB")
        rows = pd.read_csv(adult, dtype=str)
        for n in (int(s) for s in args.sizes.split(",")):
            table = Path(tmp) / f"synthetic-{n}.csv"
            rows.sample(n=n, replace=True, random_state=0).to_csv(table, index=False)
            seconds, mib = measured(["fairness", "--model", "income", "--data", str(table), "--counterfactual", "sex",
                                     "-f", "json", "-o", str(out)])
            print(f"synthetic {n:>9,} rows ({table.stat().st_size / 2**20:,.0f} MiB CSV): group audit + "
                  f"counterfactual sex {seconds:.1f} s, peak {mib:.0f} MiB")
            table.unlink()


if __name__ == "__main__":
    main()
