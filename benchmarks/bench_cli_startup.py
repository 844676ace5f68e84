"""How fast the command line answers: ``xaudit --help`` and usage errors, whole processes.

Each command runs as its own process ``--repeat`` times (median wall time). The reference
measured in the same run is ``python -c "import torch"``: what every answer would cost at
least if the checks came after torch loaded (the goals: ``--help`` under 0.7 s, usage
errors within 2 s).

    python benchmarks/bench_cli_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402

XAUDIT = [str(Path(sys.executable).parent / "xaudit")]  # the console script of this environment
COMMANDS = {
    "xaudit --help": ["--help"],
    "attribute with no input": ["attribute", "-m", "bert"],
    "attribute --method flw": ["attribute", "-m", "bert", "--text", "x", "--method", "flw"],
    "attribute -m cnn --method flow": ["attribute", "-m", "cnn", "--digit", "3", "--method", "flow"],
    "report --model bert,cnn --method flw": ["report", "--model", "bert,cnn", "--method", "flw"],
    "evaluate --layers 9": ["evaluate", "-m", "bert", "--layers", "9"],
    "fairness --example nosuch": ["fairness", "--example", "nosuch"],
    "cloze --k x": ["cloze", "--k", "x"],
}


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {describe()}")
    torch_import = median_seconds([sys.executable, "-c", "import torch"], args.repeat)
    reference = 'python -c "import torch" (reference)'
    print(f"{reference:45s} {torch_import:6.2f} s")
    for label, arguments in COMMANDS.items():
        seconds = median_seconds([*XAUDIT, *arguments], args.repeat)
        print(f"{label:45s} {seconds:6.2f} s   ({seconds / torch_import:.2f}× importing torch)")


if __name__ == "__main__":
    main()
