"""Benchmark: peak memory of ``xaudit attribute --format jsonl`` (streamed) against ``--format json`` (whole input
at once) as the input grows.

Each run is a fresh process explaining N short sentences of a JSONL file with raw attention (the cheapest
method, so that the input's size, not the method, dominates) and the shipped ``bert``, or with ``--tiny`` a
random-weight 2-layer BERT of width 32 (same code path, about a hundred times less arithmetic per input: what
makes a million-line input feasible on a small machine). The streamed run's memory should not grow with N.

    .venv/bin/python benchmarks/bench_stream.py [--sizes 1000,10000,100000] [--whole-up-to 10000] [--tiny]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_bert_base import build_model, corpus_text  # noqa: E402
from benchmarks.bench_model_audit import measured  # noqa: E402
from benchmarks.machine import describe  # noqa: E402

NOUNS = ["key", "keys", "cabinet", "cabinets", "door", "doors", "author", "authors"]


def write_input(path: Path, lines: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(lines):
            words = ["the", *rng.choice(NOUNS, rng.integers(1, 4)), "near", "the", rng.choice(NOUNS)]
            out.write(json.dumps({"text": " ".join(words)}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--whole-up-to", type=int, default=10_000, help="largest input also run with --format json")
    parser.add_argument("--tiny", action="store_true", help="a random-weight 2-layer BERT instead of the shipped bert")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        model = "bert"
        if args.tiny:
            model = str(Path(tmp) / "tiny-bert")
            build_model(Path(model), corpus_text(), layers=2, heads=2, hidden=32)
        print(f"model: {'random-weight BERT, 2 layers, 2 heads, width 32' if args.tiny else 'shipped bert'}")
        for n in (int(s) for s in args.sizes.split(",")):
            source, out = Path(tmp) / f"in-{n}.jsonl", Path(tmp) / "out"
            write_input(source, n)
            base = ["attribute", "-m", model, "--method", "attention", "--input", str(source), "-o", str(out)]
            seconds, mib = measured([*base, "-f", "jsonl"])
            line = f"{n:>9,} inputs: streamed (jsonl) {seconds:.1f} s, peak {mib:.0f} MiB"
            if n <= args.whole_up_to:
                whole_seconds, whole_mib = measured([*base, "-f", "json"])
                line += f"; whole (json) {whole_seconds:.1f} s, peak {whole_mib:.0f} MiB"
            print(line, flush=True)


if __name__ == "__main__":
    main()
