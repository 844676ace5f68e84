"""Write ``reports/mozart-mlm.md``: the reference ``mlm``'s MozArt P@1/P@5 tables beside mBERT's.

The mBERT tables are the published ones (Cabello Piqueras & Søgaard 2022, as transcribed
in ``shared/seeds``; the seed's "127" for MN/ES is read as 12.7). Ours are computed now
by :func:`xaudit.cloze.run_cloze`. Data: ``--data``, else ``mozart/`` in ``$XAUDIT_DATA_DIR`` or ../shared/data.

    .venv/bin/python benchmarks/report_cloze.py [--model mlm] [-o reports/mozart-mlm.md]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from xaudit import atomic
from xaudit.cloze import run_cloze
from xaudit.render.cloze_tables import markdown
from xaudit.models.cards import read_card
from xaudit.models.registry import REFERENCE_MODELS, reference_dir

MBERT = {  # percentages; rows MN, FN, MNN, FNN, then language means (σ_gd); columns EN, ES, DE, FR, mean (std)
    1: [["MN", "13.3", "12.7", "11.3", "10.7", "12.0 (1.0)"],
        ["FN", "13.3", "12.0", "15.3", "8.0", "12.2 (2.7)"],
        ["MNN", "12.7", "12.4", "11.4", "3.6", "10.0 (3.8)"],
        ["FNN", "13.3", "10.0", "5.6", "6.9", "9.0 (3.0)"],
        ["mean (σ_gd)", "13.2 (0.3)", "11.8 (1.1)", "10.8 (3.5)", "7.3 (2.5)", ""]],
    5: [["MN", "30.7", "26.7", "22.0", "24.0", "25.9 (3.3)"],
        ["FN", "32.0", "18.7", "24.7", "22.0", "24.4 (4.9)"],
        ["MNN", "34.0", "25.9", "12.1", "15.0", "21.8 (8.7)"],
        ["FNN", "32.7", "25.3", "16.3", "16.3", "22.7 (6.9)"],
        ["mean (σ_gd)", "32.3 (1.2)", "24.2 (3.1)", "18.8 (4.9)", "19.3 (3.8)", ""]],
}


def mbert_tables() -> str:
    header = "| | EN | ES | DE | FR | mean (std) |\n|---|---|---|---|---|---|\n"
    return "\n\n".join(f"**P@{k} of mBERT (%), published**\n\n" + header + "\n".join(
        "| " + " | ".join(r) + " |" for r in rows) for k, rows in MBERT.items()) + "\n"


def model_summary(model: str) -> str:
    card = read_card(reference_dir(model)) if model in REFERENCE_MODELS else None
    if not card:
        return f"Model: `{model}`.\n"
    m, c = card["metrics"], card["config"]
    accuracy = ", ".join(f"{lang} {100 * v:.1f}%" for lang, v in m["test_accuracy_by_language"].items())
    return (f"Model: `{model}` — BERT masked LM, {c['num_hidden_layers']} layers, hidden {c['hidden_size']}, "
            f"{c['num_attention_heads']} heads, WordPiece vocabulary {c['vocab_size']:,}, "
            f"{card['parameters']:,} parameters; trained {card['training']['steps']:,} steps in "
            f"{card['wall_time_s'] / 60:.0f} min on {card['device']}. Held-out masked-token accuracy: {accuracy} "
            f"(all {100 * m['test_accuracy']:.1f}%, n={m['test_n']:,} masked tokens).\n")


def reading(result) -> str:
    """A short reading computed from the result: levels against mBERT and the human baseline, and noise."""
    lines = ["## Reading\n"]
    for k, table in result.precision.items():
        cells = [table.cell(g, lang) for g in result.groups for lang in result.languages]
        overall = sum(c.hits for c in cells) / max(1, sum(c.n for c in cells))
        published = [float(row[-1].split()[0]) for row in MBERT.get(k, [])[:4]]
        mbert = f"; mBERT's published group means are {min(published):.1f}-{max(published):.1f}%" if published else ""
        spread = max(m.std for m in table.language_means.values() if m.std is not None)
        n_min, n_max = min(c.n for c in cells), max(c.n for c in cells)
        hit = 100 / n_min  # points one hit moves the smallest cell
        verdict = ("under two answers per cell: too few to tell groups apart" if 100 * spread < 2 * hit
                   else "two or more answers per cell: look at the cells behind it (this is not a test)")
        lines.append(f"- P@{k}: {100 * overall:.1f}% of all annotations overall ({sum(c.hits for c in cells)} hits "
                     f"in {sum(c.n for c in cells)}){mbert}. Cells hold {n_min}-{n_max} annotations and "
                     f"{min(c.hits for c in cells)}-{max(c.hits for c in cells)} hits each; one hit moves a cell by "
                     f"{100 / n_max:.1f}-{hit:.1f} points. The largest σ_gd ({100 * spread:.1f} points) is {verdict}.")
    human = [c.hits / c.n for c in result.human.cells if c.n]
    best = max(sum(c.hits for c in t.cells) / max(1, sum(c.n for c in t.cells)) for t in result.precision.values())
    if best < min(human) / 2:
        lines.append(f"- Human baseline: annotators reproduced the original word in {100 * min(human):.1f}-"
                     f"{100 * max(human):.1f}% of a cell's annotations; the model's best overall P@k "
                     f"({100 * best:.1f}%) is under half the lowest of these, so the model does not yet predict any "
                     "group's answers well and its tables cannot rank groups. Audit a stronger masked LM (e.g. "
                     "mBERT through `--model` or `--predictions`) for substantive findings.\n")
    else:
        lines.append(f"- Human baseline: annotators reproduced the original word in {100 * min(human):.1f}-"
                     f"{100 * max(human):.1f}% of a cell's annotations; the model's best overall P@k is "
                     f"{100 * best:.1f}%.\n")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--model", default="mlm")
    parser.add_argument("-o", "--output", type=Path, default=Path("reports/mozart-mlm.md"))
    args = parser.parse_args()
    result = run_cloze(mozart=args.data, model=args.model)
    text = "\n".join([
        f"# MozArt cloze fairness: `{args.model}` beside mBERT\n",
        "Written by `benchmarks/report_cloze.py` (Cabello Piqueras & Søgaard 2022, COLING). P@k: share of a "
        "group's annotations whose answer (NFC, stripped, casefolded) is among the model's top-k whole-word "
        "predictions; group means over languages and language means over groups (σ_gd) with the population "
        "standard deviation. Multi-word answers count as misses.\n",
        model_summary(args.model),
        "## Reference model\n",
        markdown(result),
        reading(result),
        "## mBERT, as published (for context)\n",
        mbert_tables(),
    ])
    atomic.write_text(args.output, text)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
