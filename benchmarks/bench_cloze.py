"""Benchmark: the whole MozArt cloze audit (2,420 annotations, 400 unique sentences) with ``mlm``.

Times each stage (load and validate MozArt, load the model, top-k predictions once per
sentence, P@k tables), end to end, ``--repeats`` times in one process; prints the best
and the median. Goal: at most 30 s end to end on 2 CPU cores. Data: ``--data`` (the
MozArt folder), else ``mozart/`` in ``$XAUDIT_DATA_DIR`` or ../shared/data.

    .venv/bin/python benchmarks/bench_cloze.py [--model mlm] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402
from xaudit.cloze import GROUPS, LANGUAGES, cloze_result, load_mozart, predict_top_k  # noqa: E402
from xaudit.models import load_model  # noqa: E402
from xaudit.paths import DATA_DIR_ENV, default_data_dir  # noqa: E402


def run_once(folder: Path, model: str) -> dict[str, float]:
    times = {}
    start = last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[name], last = now - last, now

    data = load_mozart(folder)
    lap("load MozArt")
    adapter = load_model(model)
    lap("load model")
    predictions = predict_top_k(adapter, data.sentences, 5)
    lap("predict (400 sentences)")
    result = cloze_result(data, predictions, [1, 5], GROUPS, LANGUAGES, adapter.name)
    lap("P@k tables")
    times["total"] = time.perf_counter() - start
    assert sum(c.n for c in result.human.cells) == len(data.annotations)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help=f"MozArt folder (default ${DATA_DIR_ENV}/mozart or ../shared/data/mozart)")
    parser.add_argument("--model", default="mlm")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    root = default_data_dir()
    folder = args.data or (root / "mozart" if root else None)
    if folder is None:
        parser.error(f"no data folder: pass --data or set {DATA_DIR_ENV}")
    runs = [run_once(folder, args.model) for _ in range(args.repeats)]
    print(f"machine: {describe()}")
    print(f"model: {args.model}; {args.repeats} runs in one process")
    for stage in runs[0]:
        values = [r[stage] for r in runs]
        print(f"  {stage:<26} best {min(values):7.3f} s   median {statistics.median(values):7.3f} s")
    print(f"first run (cold: library imports, model and file caches): {runs[0]['total']:.2f} s")
    total = statistics.median(r["total"] for r in runs)
    print(f"end to end (median): {total:.2f} s; goal <= 30 s: {'met' if total <= 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
