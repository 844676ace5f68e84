"""Batched attributions vs a per-example captum loop, on the shipped ``bert``.

1,000 agreement test sentences; saliency, first-order Taylor (zero baseline: captum's
``InputXGradient`` on ``x − b``, where the baseline b keeps [CLS]/[SEP] and zeroes the
word embeddings) and integrated gradients (50 steps, Gauss-Legendre, pad baseline).
The loop calls captum once per sentence, as a user of captum would; xaudit batches
sentences through ``explain``. Both paths are checked to give the same scores before
timing is reported.

    python benchmarks/bench_attribute.py [--n 1000] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402
from xaudit.attribution import get_method  # noqa: E402
from xaudit.attribution.explain import explain  # noqa: E402
from xaudit.datasets import agreement  # noqa: E402
from xaudit.models import load_model  # noqa: E402
from xaudit.training.recipes import AGREEMENT_DATA_SEED, PRESETS  # noqa: E402


def captum_loop(adapter, texts, name):
    from captum.attr import InputXGradient, IntegratedGradients, Saliency

    out = []
    for text in texts:
        batch = adapter.encode([text])
        x = adapter.embed(batch).requires_grad_(True)
        forward = lambda e, b=batch: adapter.forward_from_embeddings(e, b)  # noqa: E731
        with torch.no_grad():
            target = int(adapter.forward(batch).argmax(-1))
        if name == "saliency":
            scores = Saliency(forward).attribute(x, target=target, abs=False).norm(dim=-1)
        elif name == "taylor":  # (x - b)·grad f(x): gradient × input of f(· + b) at x - b
            b = adapter.baseline(batch, "zero")
            shifted = lambda d, b=b, f=forward: f(d + b)  # noqa: E731
            scores = InputXGradient(shifted).attribute((x - b).detach().requires_grad_(True), target=target).sum(-1)
        else:
            scores = IntegratedGradients(forward).attribute(
                x, baselines=adapter.baseline(batch, "pad"), target=target, n_steps=50, method="gausslegendre"
            ).sum(-1)
        out.append(scores[0].detach().numpy())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    preset = PRESETS["bert"]["full"]
    test = agreement.splits(preset["n_train"], preset["n_dev"], preset["n_test"], AGREEMENT_DATA_SEED).test
    texts = [e.text for e in test[: args.n]]
    adapter = load_model("bert")
    print(f"machine: {describe()}")
    print(f"{args.n} sentences, model bert; batch size {args.batch_size}")
    print(f"{'method':>9} {'captum loop s':>14} {'sent/s':>8} {'xaudit s':>9} {'sent/s':>8} {'ratio':>7}")
    methods = {"saliency": get_method("saliency"), "taylor": get_method("taylor", baseline="zero"),
               "ig": get_method("ig", n_steps=50, baseline="pad")}
    for name, method in methods.items():
        start = time.perf_counter()
        ours = explain(adapter, texts, [method], words=False, batch_size=args.batch_size)
        ours_time = time.perf_counter() - start
        start = time.perf_counter()
        reference = captum_loop(adapter, texts, name)
        loop_time = time.perf_counter() - start
        worst = max(float(np.abs(e.attributions[name].scores - r).max() / (np.abs(r).max() + 1e-12))
                    for e, r in zip(ours, reference))
        assert worst < 1e-3, f"{name}: batched and per-example scores differ (relative {worst:.2e})"
        print(f"{name:>9} {loop_time:>14.1f} {args.n / loop_time:>8.0f} {ours_time:>9.1f} {args.n / ours_time:>8.0f} "
              f"{loop_time / ours_time:>6.1f}x")


if __name__ == "__main__":
    main()
