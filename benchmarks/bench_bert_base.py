"""Every text method on a BERT-base-shaped classifier at real lengths: seconds per example and peak memory.

The model is ``BertForSequenceClassification`` with BERT-base's shape (12 layers, 12 heads,
hidden 768, 3072 feed-forward) and random weights, saved with ``save_pretrained`` beside a
WordPiece tokenizer trained by ``tokenizers`` on English text, and loaded through
``xaudit.models.load_model`` as a user's folder would be. Inputs are passages of English
prose cut to exactly 128 or 512 tokens. Each (method, length) runs in its own process, so
the peak resident memory reported is that method's alone (model and interpreter included);
the first example is a warm-up and is not timed.

    python benchmarks/bench_bert_base.py [--tokens 128,512] [--examples 3] [--methods saliency,flow]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402

VOCAB = 8000
FALLBACK_TEXT = ("the committee said that the old bridge near the river would be closed for repairs while the "
                 "engineers who inspected it last winter wrote a report on the state of its steel and stone ")


def corpus_text() -> str:
    """English prose for the tokenizer and the inputs: the shared Gutenberg text when present."""
    from xaudit.paths import default_data_dir

    root = default_data_dir()
    path = root / "corpus" / "gutenberg" / "en_alice.txt" if root else None
    if path is not None and path.exists():
        return " ".join(path.read_text(encoding="utf-8").split())
    return FALLBACK_TEXT * 400


def build_model(folder: Path, text: str, layers: int = 12, heads: int = 12, hidden: int = 768) -> None:
    """A random-weight BERT classifier (BERT-base's shape by default) with a WordPiece tokenizer, saved to
    ``folder``."""
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    torch.manual_seed(0)
    words = text.split()
    lines = [" ".join(words[i:i + 50]) for i in range(0, len(words), 50)]
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator(lines, vocab_size=VOCAB, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]",
                                                                            "[MASK]"])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=wordpiece._tokenizer, model_max_length=512,
                                        unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]",
                                        mask_token="[MASK]")
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=heads, intermediate_size=4 * hidden, max_position_embeddings=512, num_labels=2)
    BertForSequenceClassification(config).eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def passages(tokenizer, text: str, tokens: int, count: int) -> list[str]:
    """``count`` consecutive passages of ``text`` that encode to exactly ``tokens`` tokens ([CLS]/[SEP] included)."""
    words, out, start = text.split(), [], 0
    while len(out) < count:
        end = start + tokens
        while len(tokenizer(" ".join(words[start:end]))["input_ids"]) > tokens:
            end -= 1
        while len(tokenizer(" ".join(words[start:end + 1]))["input_ids"]) <= tokens:
            end += 1
        passage = " ".join(words[start:end])
        if len(tokenizer(passage)["input_ids"]) == tokens:
            out.append(passage)
        start = end
    return out


def run_one(folder: Path, method: str, tokens: int, examples: int) -> dict:
    """Time ``method`` on ``examples`` passages of ``tokens`` tokens after one warm-up (in this process)."""
    from xaudit.attribution import get_method
    from xaudit.attribution.explain import explain
    from xaudit.models import load_model

    adapter = load_model(str(folder))
    texts = passages(adapter.tokenizer, corpus_text(), tokens, examples + 1)
    chosen = get_method(method)
    explain(adapter, texts[:1], [chosen], batch_size=1)
    start = time.perf_counter()
    explain(adapter, texts[1:], [chosen], batch_size=1)
    seconds = (time.perf_counter() - start) / examples
    return {"method": method, "tokens": tokens, "seconds": seconds,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def text_methods(folder: Path) -> list[str]:
    """The registered methods the saved classifier supports."""
    from xaudit.attribution.registry import supported
    from xaudit.models import load_model

    return supported(load_model(str(folder)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", default="128,512", help="comma-separated input lengths")
    parser.add_argument("--examples", type=int, default=3, help="timed examples per method and length")
    parser.add_argument("--methods", default="", help="comma-separated methods (default: every supported one)")
    parser.add_argument("--cell-timeout", type=float, default=900, help="seconds before a cell is given up")
    parser.add_argument("--one", nargs=3, metavar=("FOLDER", "METHOD", "TOKENS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        folder, method, tokens = args.one
        print(json.dumps(run_one(Path(folder), method, int(tokens), args.examples)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bert-base-random"
        build_model(folder, corpus_text())
        methods = args.methods.split(",") if args.methods else text_methods(folder)
        print(f"machine: {describe()}")
        print(f"BERT-base shape (12 layers, 12 heads, hidden 768), random weights; {args.examples} timed examples "
              "per cell after one warm-up, batch size 1, each cell in its own process")
        print(f"{'method':>14} {'tokens':>6} {'s/example':>10} {'peak MiB':>9}")
        for tokens in (int(t) for t in args.tokens.split(",")):
            for method in methods:
                try:
                    done = subprocess.run([sys.executable, __file__, "--examples", str(args.examples), "--one",
                                           str(folder), method, str(tokens)], capture_output=True, text=True,
                                          timeout=args.cell_timeout)
                except subprocess.TimeoutExpired:
                    print(f"{method:>14} {tokens:>6} over {args.cell_timeout:.0f} s for {args.examples + 1} examples")
                    continue
                if done.returncode != 0:
                    print(f"{method:>14} {tokens:>6} failed: {done.stderr.strip().splitlines()[-1]}")
                    continue
                row = json.loads(done.stdout.strip().splitlines()[-1])
                print(f"{method:>14} {tokens:>6} {row['seconds']:>10.2f} {row['peak_mib']:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
