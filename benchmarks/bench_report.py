"""HTML report with 1,000 attributed examples: render + write time and file size.

Attributions (saliency, rollout, flow) of 1,000 agreement test sentences by the shipped
``bert`` are computed first and timed separately; the goal (≤ 5 s, ≤ 5 MB) is for turning
them into the self-contained HTML file (rendering, escaping, embedded JSON, atomic write).

    python benchmarks/bench_report.py [--n 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402
from xaudit import atomic  # noqa: E402
from xaudit.attribution import get_method  # noqa: E402
from xaudit.attribution.explain import explain  # noqa: E402
from xaudit.datasets.reference import held_out_examples  # noqa: E402
from xaudit.models import load_model  # noqa: E402
from xaudit.models.cards import read_card  # noqa: E402
from xaudit.models.registry import reference_dir  # noqa: E402
from xaudit.report.build import ReportConfig  # noqa: E402
from xaudit.report.explanations import influential_tokens  # noqa: E402
from xaudit.report.methods_text import LIMITATIONS, methods as report_methods  # noqa: E402
from xaudit.report.provenance import machine, packages  # noqa: E402
from xaudit.report.render import render_html  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    print(f"machine: {describe()}")
    adapter = load_model("bert")
    split = held_out_examples(read_card(reference_dir("bert")), args.n)
    methods = [get_method("saliency"), get_method("rollout"), get_method("flow")]
    start = time.perf_counter()
    explanations = explain(adapter, split.inputs, methods, true_labels=split.labels, batch_size=64)
    attribution_time = time.perf_counter() - start
    config = ReportConfig()
    start = time.perf_counter()
    report = {
        "schema_version": 1, "title": "benchmark", "version": "bench", "generated": "now", "data_source": "bench",
        "scope": "benchmark", "models": [], "findings": [], "group_fairness": [], "cloze": None,
        "explanations": [{"model": "bert", "description": "bench", "methods": [m.name for m in methods],
                          "examples": [e.to_dict() for e in explanations],
                          "top_tokens": influential_tokens(explanations), "top_tokens_size": 10,
                          "top_tokens_min_count": 2, "quality": None, "quality_note": ""}],
        "methods": report_methods(), "limitations": LIMITATIONS,
        "provenance": {"command": "bench", "seed": config.seed, "machine": machine(), "packages": packages(),
                       "data_files": []},
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.html"
        html = render_html(report)
        atomic.write_text(path, html)
        render_time = time.perf_counter() - start
        size = path.stat().st_size
    print(f"{args.n} examples x {len(methods)} methods: attributions {attribution_time:.1f} s (not in the goal)")
    print(f"render + write: {render_time:.2f} s (goal <= 5 s); file {size / 1e6:.2f} MB (goal <= 5 MB)")


if __name__ == "__main__":
    main()
