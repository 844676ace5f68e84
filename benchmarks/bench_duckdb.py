"""Benchmark: a group audit of 100 million predictions in Parquet, tallied by DuckDB vs read in chunks.

One Parquet file (row groups of 1,048,576 rows: a 0/1 label, a score, two group columns) is
audited twice, each a fresh ``xaudit fairness`` process: ``--data FILE`` (xaudit's chunked
pyarrow reader counts every row) and ``--sql "SELECT * FROM 'FILE'"`` (DuckDB groups the rows and
counts each combination; xaudit audits the counts). Wall time and peak resident memory of each
process; the two JSON results must be equal apart from the data's name.

    .venv/bin/python benchmarks/bench_duckdb.py [--rows 100000000] [--keep FOLDER]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_model_audit import measured  # noqa: E402
from benchmarks.machine import describe  # noqa: E402

PIECE_ROWS = 1 << 20
SEXES = np.array(["female", "male"])
RACES = np.array(["Asian", "Black", "Hispanic", "White", "Other"])


def write_predictions(path: Path, rows: int, seed: int = 0) -> None:
    """``rows`` predictions with a planted gap by sex, written a row group at a time (seeded)."""
    rng = np.random.default_rng(seed)
    schema = pa.schema([("y", pa.int8()), ("score", pa.float32()), ("sex", pa.dictionary(pa.int8(), pa.string())),
                        ("race", pa.dictionary(pa.int8(), pa.string()))])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, rows, PIECE_ROWS):
            n = min(PIECE_ROWS, rows - start)
            sex = rng.integers(0, 2, n, dtype=np.int8)
            race = rng.choice(len(RACES), n, p=[0.1, 0.15, 0.2, 0.5, 0.05]).astype(np.int8)
            y = (rng.random(n) < 0.4).astype(np.int8)
            score = np.clip(rng.normal(0.35 + 0.3 * y + 0.05 * sex, 0.2), 0, 1).astype(np.float32)
            writer.write_table(pa.table({
                "y": y, "score": score,
                "sex": pa.DictionaryArray.from_arrays(pa.array(sex), pa.array(SEXES)),
                "race": pa.DictionaryArray.from_arrays(pa.array(race), pa.array(RACES))}, schema=schema))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--keep", type=Path, help="folder to write the Parquet file to and keep it (default: a "
                        "temporary folder)")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        table = folder / f"predictions-{args.rows}.parquet"
        if not table.exists():
            start = time.perf_counter()
            write_predictions(table, args.rows)
            print(f"wrote {args.rows:,} rows ({table.stat().st_size / 2**20:,.0f} MiB) in "
                  f"{time.perf_counter() - start:.0f} s")
        common = ["fairness", "--label-col", "y", "--score-col", "score", "--group-cols", "sex,race", "-f", "json"]
        results = {}
        for name, source in (("chunked reader (--data)", ["--data", str(table)]),
                             ("DuckDB (--sql)", ["--sql", f"SELECT * FROM '{table}'"])):
            out = folder / "out.json"
            seconds, mib = measured([*common, *source, "-o", str(out)])
            payload = json.loads(out.read_text())
            payload["source"].pop("data")
            results[name] = payload
            print(f"{name}: {seconds:.1f} s, peak {mib:.0f} MiB")
        first, second = results.values()
        print("results equal apart from the data's name:", first == second)


if __name__ == "__main__":
    main()
