"""Abnar & Zuidema (2020) Tables 1-2 beside ours: Spearman of raw attention, rollout and flow
(CLS row, per layer) with blank-out and with input gradients, as Markdown with a generated reading."""

from __future__ import annotations

from .._version import __version__
from .runner import EvaluationResult

ROWS = (("Raw", "attention"), ("Rollout", "rollout"), ("Flow", "flow"))
NEWER_ROWS = (("Gradient rollout", "grad-rollout"), ("Attention norm", "attention-norm"), ("ALTI", "alti"),
              ("Value zeroing", "value-zeroing"))
"""Layered methods after the paper: rows of our tables when the evaluation ran them (no published values)."""
# The published values (mean, std), verb-number task, 2,000 test sentences, L1..L6.
PAPER = {
    "blankout": {
        "attention": [(0.69, 0.27), (0.10, 0.43), (-0.11, 0.49), (-0.09, 0.52), (0.20, 0.45), (0.29, 0.39)],
        "rollout": [(0.32, 0.26), (0.38, 0.27), (0.51, 0.26), (0.62, 0.26), (0.70, 0.25), (0.71, 0.24)],
        "flow": [(0.32, 0.26), (0.44, 0.29), (0.70, 0.25), (0.70, 0.22), (0.71, 0.22), (0.70, 0.22)],
    },
    "saliency": {
        "attention": [(0.53, 0.33), (0.16, 0.38), (-0.06, 0.42), (0.00, 0.47), (0.24, 0.40), (0.46, 0.35)],
        "rollout": [(0.22, 0.31), (0.27, 0.32), (0.39, 0.32), (0.47, 0.32), (0.53, 0.32), (0.54, 0.31)],
        "flow": [(0.22, 0.31), (0.31, 0.34), (0.54, 0.32), (0.61, 0.28), (0.60, 0.28), (0.61, 0.28)],
    },
}
TITLES = {"blankout": "Table 1: vs blank-out scores", "saliency": "Table 2: vs input gradients (saliency)"}


def _cell(mean: float | None, std: float | None) -> str:
    return "undefined" if mean is None else f"{mean:.2f}±{std:.2f}"


def _ours(result: EvaluationResult, reference: str, method: str, layer: int) -> float | None:
    summary = result.get(method, f"spearman_vs_{reference}", layer)
    return None if summary is None else summary.mean


def ours_table(result: EvaluationResult, reference: str, layers: list[int]) -> list[str]:
    head = "| | " + " | ".join(f"L{layer}" for layer in layers) + " |"
    lines = [head, "|---" * (len(layers) + 1) + "|"]
    for label, method in ROWS + tuple(row for row in NEWER_ROWS if row[1] in result.methods):
        cells = []
        for layer in layers:
            s = result.get(method, f"spearman_vs_{reference}", layer)
            cells.append(_cell(None, None) if s is None else _cell(s.mean, s.std))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def published_table(reference: str) -> list[str]:
    lines = ["| | " + " | ".join(f"L{i}" for i in range(1, 7)) + " |", "|---" * 7 + "|"]
    for label, method in ROWS:
        lines.append(f"| {label} | " + " | ".join(_cell(m, s) for m, s in PAPER[reference][method]) + " |")
    return lines


def _count(layers: list[int], better) -> int:
    return sum(1 for layer in layers if better(layer))


def _reading(result: EvaluationResult, reference: str, layers: list[int]) -> list[str]:
    def ours(method: str, layer: int) -> float | None:
        return _ours(result, reference, method, layer)

    def paper(method: str, layer: int) -> float:
        return PAPER[reference][method][layer - 1][0]

    def beats(a: str, b: str, source) -> callable:
        return lambda layer: source(a, layer) is not None and source(b, layer) is not None \
            and source(a, layer) > source(b, layer)

    last = layers[-1]
    paper_layers = [layer for layer in layers if layer <= 6]
    lines = [
        f"- Last layer (L{last}): raw {_fmt(ours('attention', last))}, rollout {_fmt(ours('rollout', last))}, "
        f"flow {_fmt(ours('flow', last))}"
        + (f"; the paper reports raw {paper('attention', last):.2f}, rollout {paper('rollout', last):.2f}, "
           f"flow {paper('flow', last):.2f}." if last <= 6 else "."),
    ]
    for method, label in (("rollout", "Rollout"), ("flow", "Flow")):
        ours_count = _count(layers, beats(method, "attention", ours))
        paper_count = _count(paper_layers, beats(method, "attention", paper))
        lines.append(f"- {label} correlates better than raw attention at {ours_count} of {len(layers)} layers here; "
                     f"in the paper at {paper_count} of {len(paper_layers)}.")
    ours_count = _count(layers, beats("flow", "rollout", ours))
    paper_count = _count(paper_layers, beats("flow", "rollout", paper))
    lines.append(f"- Flow exceeds rollout at {ours_count} of {len(layers)} layers here; in the paper at "
                 f"{paper_count} of {len(paper_layers)} (at L1 the two are equal by construction: both are the "
                 "first layer's residual-augmented attention row).")
    holds = ours("rollout", last) is not None and ours("flow", last) is not None \
        and ours("attention", last) is not None \
        and min(ours("rollout", last), ours("flow", last)) > ours("attention", last)
    lines.append("- The paper's main ordering at the last layer (rollout and flow above raw attention) "
                 + ("holds here." if holds else "does not hold here."))
    return lines


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.2f}"


def protocol_lines(result: EvaluationResult) -> list[str]:
    """The definitions of the references and the correlation under the run's protocol (``protocols``)."""
    if result.settings.get("protocol", "xaudit") == "paper":
        return [
            "- Protocol `paper`, the authors' code: blank-out `|p_gold(x) − p_gold(x with token i → [UNK])|` at "
            "every position, [CLS] included, the final token scored 0; input gradients "
            "`|Σ_d ∂(p_0 − p_1)/∂e_i|` at every position (e_i: token + position embedding).",
            "- Rank correlation per example over the whole sequence ([CLS] and the final token included): "
            "`1 − 6Σd²/(n(n²−1))` with dense ranks d, no rounding; where it is NaN, 0 is counted (as the "
            "authors do). Means are per layer: the authors' printed means pool layers 1..l (their result "
            "lists were never reset between layers); that is not reproduced.",
        ]
    return [
        "- Protocol `xaudit`: blank-out (each token replaced by [UNK], one at a time; drop in the probability of "
        "the correct class) and input gradients (L2 norm of the gradient of the correct class's logit "
        "with respect to each token embedding).",
        f"- Spearman's rho per example over the sentence's word tokens ([CLS] and [SEP] excluded); scores "
        f"are rounded to {result.settings['rank_rounding_decimals']} decimals relative to their maximum "
        "before ranking, so that saturated flow values tie. A correlation with a constant vector is "
        "undefined: such examples are left out of mean ± std and counted below.",
    ]


def diagnostics_lines(diagnostics: dict) -> list[str]:
    """The degeneracy diagnostics (``diagnostics.Diagnostics``) as a section; none when not computed."""
    if not diagnostics:
        return []
    gaps = diagnostics["logit_gap_quantiles"]
    lines = [
        "## Degeneracy diagnostics", "",
        f"On the same {diagnostics['n']} sentences, with xaudit's signed blank-out over the words "
        "(`xaudit.evaluation.diagnostics`):", "",
        "- Logit gap (gold − other) at the " + " / ".join(gaps) + " quantiles: "
        + " / ".join(f"{v:.2f}" for v in gaps.values()) + ".",
        f"- Words whose blank-out exceeds 1% of the sentence's largest: {diagnostics['words_moved_mean']:.1f} on "
        f"average (median {diagnostics['words_moved_median']:.0f}) of {diagnostics['words_mean']:.1f} words; "
        "the ranks of the others are noise.",
        f"- Share of negative drops (blanking the word raises p_gold): {diagnostics['negative_drop_share']:.1%}.",
    ]
    if diagnostics["accuracy_by_attractors"]:
        lines += ["", "| attractors | " + " | ".join(diagnostics["accuracy_by_attractors"]) + " |",
                  "|---" * (len(diagnostics["accuracy_by_attractors"]) + 1) + "|",
                  "| accuracy | " + " | ".join(f"{v:.3f}" for v in diagnostics["accuracy_by_attractors"].values())
                  + " |", "| n | " + " | ".join(str(v) for v in diagnostics["n_by_attractors"].values()) + " |"]
    return lines + [""]


def markdown(result: EvaluationResult, model_card: dict, command: str) -> str:
    """The reproduction report: setup, our tables, the paper's tables, a generated reading."""
    layers = sorted({s.layer for s in result.summaries if s.method in {"attention", "rollout", "flow"}
                     and s.layer is not None})
    metrics = model_card.get("metrics", {})
    out = [
        f"# Reproducing Abnar & Zuidema (2020), Tables 1 and 2, on `{result.model}`",
        "",
        f"Generated by `{command}` (xaudit {__version__}). Do not edit by hand.",
        "",
        "## Setup",
        "",
        f"- Model: `{result.model}` — {model_card.get('description', '')}; test accuracy "
        f"{metrics.get('test_accuracy', float('nan')):.4f} (n={metrics.get('test_n', '?')}); trained on "
        f"{model_card.get('device', '?')}.",
        f"- Data: {result.settings.get('data', 'see the model card')}; n = {result.n_examples} examples.",
        "- Importance of each input token: the CLS output node's row of raw attention (heads averaged), "
        "rollout, or attention flow, at each layer.",
        *protocol_lines(result),
        "",
    ]
    for reference in ("blankout", "saliency"):
        if f"spearman_vs_{reference}" not in result.measures():
            continue
        out += [f"## {TITLES[reference]}", "", "Ours (mean ± std over examples):", ""]
        out += ours_table(result, reference, layers)
        undefined = {f"{label} L{layer}": s.n_undefined for label, method in ROWS for layer in layers
                     if (s := result.get(method, f"spearman_vs_{reference}", layer)) and s.n_undefined}
        out += ["", "Undefined correlations left out: "
                + (", ".join(f"{k}: {v}" for k, v in undefined.items()) if undefined else "none") + ".", ""]
        out += ["Published (Abnar & Zuidema 2020):", ""] + published_table(reference) + [""]
        out += ["Reading:", ""] + _reading(result, reference, layers) + [""]
    out += diagnostics_lines(result.diagnostics)
    out += [
        "## Caveats",
        "",
        "Our model and data differ from the paper's: a BERT encoder trained by xaudit on sentences from a "
        "documented English grammar (0–4 attractors, equally frequent) instead of a GPT-2-block encoder "
        "on Linzen et al.'s Wikipedia data. The numbers are findings about this model, not a tuning target.",
        "",
    ]
    return "\n".join(out)
