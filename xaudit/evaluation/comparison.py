"""One table comparing every method on a model: each measure's mean with its 95% bootstrap interval,
seconds per example and the sanity check, the paired tests, and a reading generated from the numbers."""

from __future__ import annotations

from .._version import __version__
from .measures import column_of, measure_of, ordered
from .runner import EvaluationResult, Summary
from .sanity import UNCHANGED, blind_to_the_head, sanity_grid
from .statistics import LEVEL, RESAMPLES

ALPHA = 0.05


def compared(result: EvaluationResult, method: str, measure: str) -> Summary | None:
    """The summary the comparison uses: a layered method at its compared (last evaluated) layer."""
    return result.get(method, measure, result.compared_layers.get(method))


def _cell(summary: Summary | None) -> str:
    if summary is None:
        return "–"
    if summary.mean is None:
        return "undefined"
    interval = "" if summary.ci_low is None else f" [{summary.ci_low:.3f}, {summary.ci_high:.3f}]"
    return f"{summary.mean:.3f}{interval}"


def best(result: EvaluationResult, measure: str) -> tuple[str, Summary] | None:
    """The method with the best mean on ``measure`` (direction of the measure)."""
    sign = 1 if measure_of(measure).higher_is_better else -1
    rows = [(m, s) for m in result.methods if (s := compared(result, m, measure)) is not None and s.mean is not None]
    return max(rows, key=lambda row: sign * row[1].mean) if rows else None


def tied_with(result: EvaluationResult, measure: str, method: str) -> tuple[list[str], list[str]]:
    """Methods not significantly different from ``method`` on ``measure`` (Holm p ≥ α or no test), and those
    that are."""
    same, different = [], []
    for test in result.tests:
        if test.measure != measure or method not in (test.a, test.b):
            continue
        other = test.b if test.a == method else test.a
        (different if test.p_holm is not None and test.p_holm < ALPHA else same).append(other)
    return same, different


def _last_sanity(result: EvaluationResult) -> dict[str, float | None]:
    last: dict[str, tuple[int, float | None]] = {}
    for step in result.sanity:
        if step.method not in last or step.k > last[step.method][0]:
            last[step.method] = (step.k, step.mean)
    return {m: v for m, (_, v) in last.items()}


def _reading(result: EvaluationResult, measures: list[str]) -> list[str]:
    lines = []
    firsts: dict[str, int] = {}
    for measure in measures:
        top = best(result, measure)
        if top is None:
            continue
        method, summary = top
        firsts[method] = firsts.get(method, 0) + 1
        same, different = tied_with(result, measure, method)
        lines.append(f"- {column_of(measure)}: `{method}` is best ({_cell(summary)}); "
                     + (f"not distinguishable from it: {', '.join(f'`{m}`' for m in same)}; " if same else
                        "no method is indistinguishable from it; ")
                     + f"it differs significantly from {len(different)} of {len(same) + len(different)} others "
                     f"(Holm-corrected p < {ALPHA}).")
    if firsts:
        leader = max(firsts.items(), key=lambda kv: kv[1])
        lines.append(f"- `{leader[0]}` is best on {leader[1]} of {len(measures)} measures, the most of any method.")
    speed = sorted(result.seconds_per_example.items(), key=lambda kv: kv[1])
    if len(speed) >= 2 and speed[0][1] > 0:
        lines.append(f"- Fastest: `{speed[0][0]}` ({speed[0][1]:.3g} s per example); slowest: `{speed[-1][0]}` "
                     f"({speed[-1][1]:.3g} s, {speed[-1][1] / speed[0][1]:.0f}× the fastest).")
    if result.sanity:
        verdicts = result.sanity_verdicts()
        failed = [m for m in result.methods if verdicts.get(m) is False]
        last = _last_sanity(result)
        lines.append("- Sanity check: " + (f"{len(failed)} of {len(verdicts)} methods fail, their mean rank "
                     "correlation with every layer random staying at or above "
                     f"{result.settings['sanity_threshold']}: " + ", ".join(f"`{m}` ({last[m]:.2f})" for m in failed)
                     if failed else f"every method passes (all below {result.settings['sanity_threshold']})") + ".")
        blind = blind_to_the_head(result.sanity)
        if blind:
            head = next(s.randomised for s in result.sanity if s.k == 1)
            lines.append(f"- Unchanged with only the output layers re-initialised (k = 1, {head}; mean ρ ≥ "
                         f"{UNCHANGED}): " + ", ".join(f"`{m}`" for m in blind) + ". They do not read the layers "
                         "that make the decision, so they cannot say why this class was chosen rather than another; "
                         "the verdict above reads only the last step.")
        passed = sorted((v, m) for m, v in last.items() if v is not None and verdicts.get(m))
        if passed:
            lines.append(f"- Lowest correlation with every layer random: `{passed[0][1]}` ({passed[0][0]:.2f}); the "
                         f"highest among those that pass: `{passed[-1][1]}` ({passed[-1][0]:.2f}).")
    return lines


def _parameter_lines(parameters: dict[str, dict[str, object]]) -> list[str]:
    """The setup line naming each method's parameters (none when no method has any)."""
    if not parameters:
        return []
    described = (f"`{name}` " + ", ".join(f"{key} = {value}" for key, value in values.items())
                 for name, values in parameters.items())
    return ["- Method parameters: " + "; ".join(described) + "."]


def markdown(result: EvaluationResult, command: str) -> str:
    """The comparison report: setup, the table, paired tests by measure, the sanity check, the reading."""
    measures = ordered(result.measures())
    verdicts = result.sanity_verdicts() if result.sanity else {}
    last = _last_sanity(result)
    head = ["method", *(column_of(m) for m in measures), "s / example"] + (
        ["ρ all random", "sanity"] if result.sanity else [])
    lines = [
        f"# Comparing explanation methods on `{result.model}`", "",
        f"Generated by `{command}` (xaudit {__version__}). Do not edit by hand.", "",
        "## Setup", "",
        f"- Data: {result.settings.get('data', '')}; n = {result.n_examples} examples; target: "
        f"{result.settings['target']}; seed {result.settings['seed']}.",
        *_parameter_lines(result.settings.get("method_parameters", {})),
        f"- Cells: mean over the examples and its {LEVEL:.0%} percentile-bootstrap interval ({RESAMPLES} resamples, "
        "seeded); layered (attention) methods at their last layer "
        f"({', '.join(f'`{m}` L{layer}' for m, layer in result.compared_layers.items() if layer is not None) or 'none'}).",
        "- Paired tests: two-sided Wilcoxon signed-rank test between every two methods on the examples where both "
        "have a value, Holm-corrected over the pairs of each measure.",
        "- s / example: seconds of the method's attribution pass per example, on the machine and load of this run.",
    ]
    if result.sanity:
        lines.append(f"- Sanity (Adebayo et al. 2018): mean Spearman correlation of |scores| on the trained model "
                     f"and with every layer re-initialised; fails at ≥ {result.settings['sanity_threshold']}.")
    lines += ["", "## Measures", ""] + [f"- {column_of(m)}: {measure_of(m).definition} ({measure_of(m).citation})"
                                        for m in measures]
    lines += ["", "## Comparison", "", "| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for method in result.methods:
        row = [f"`{method}`", *(_cell(compared(result, method, m)) for m in measures),
               f"{result.seconds_per_example.get(method, float('nan')):.3g}"]
        if result.sanity:
            verdict = verdicts.get(method)
            row += ["undefined" if last.get(method) is None else f"{last[method]:.2f}",
                    "undefined" if verdict is None else "passes" if verdict else "**fails**"]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## Paired tests", "", "| measure | best | not distinguishable from the best | significant pairs |",
              "|---|---|---|---|"]
    for measure in measures:
        top = best(result, measure)
        if top is None:
            continue
        same, _ = tied_with(result, measure, top[0])
        tests = [t for t in result.tests if t.measure == measure]
        significant = sum(1 for t in tests if t.p_holm is not None and t.p_holm < ALPHA)
        lines.append(f"| {column_of(measure)} | `{top[0]}` | {', '.join(f'`{m}`' for m in same) or 'none'} | "
                     f"{significant} of {len(tests)} |")
    if result.sanity:
        steps, rows = sanity_grid(result.sanity, result.methods, missing="–")
        lines += ["", "## Sanity check by step", "",
                  "Mean rank correlation of |scores| (95% interval), trained vs the top k layers re-initialised:", "",
                  "| method | " + " | ".join(f"k={k}: {name}" for k, name in steps) + " |",
                  "|---" * (len(steps) + 1) + "|"]
        for method, row in zip(result.methods, rows):
            lines.append(f"| `{method}` | " + " | ".join(row) + " |")
    lines += ["", "## Reading (generated from the numbers above)", ""] + _reading(result, measures) + [""]
    return "\n".join(lines)
