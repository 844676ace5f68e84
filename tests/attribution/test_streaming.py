"""``attribute --format jsonl``: a text input explained a block at a time equals the whole input explained at once;
an interrupted run resumes without repeating or losing a line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from xaudit.attribution import explain as explain_module
from xaudit.attribution import streaming
from xaudit.attribution.explain import explain
from xaudit.attribution.registry import build_methods
from xaudit.cli import app
from xaudit.errors import DataError, ParameterError

NOUNS = ["key", "keys", "cabinet", "cabinets", "door", "doors"]


@pytest.fixture
def sentences(tmp_path):
    rng = np.random.default_rng(2)
    texts = [" ".join(["the", *rng.choice(NOUNS, rng.integers(1, 5)), "near", "the", rng.choice(NOUNS)])
             for _ in range(37)]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" + ("\n" if i == 5 else "") for i, t in enumerate(texts)))
    return path, texts


@pytest.fixture(scope="module")
def bert(trained_adapters):
    return trained_adapters["bert"]


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def assert_same(streamed: list[dict], whole: list[dict]) -> None:
    assert [d["id"] for d in streamed] == [str(i) for i in range(len(whole))]
    for ours, expected in zip(streamed, whole):
        assert ours["input"] == expected["input"] and ours["prediction"]["index"] == expected["prediction"]["index"]
        for name, scores in expected["scores"].items():
            np.testing.assert_allclose(ours["scores"][name], scores, rtol=1e-4, atol=1e-6)  # other batches' padding


def test_blocks_equal_the_whole_input_and_never_hold_more_than_a_block(bert, sentences, tmp_path, monkeypatch):
    path, texts = sentences
    methods = build_methods(["saliency", "rollout"], {})
    whole = [e.to_dict() for e in explain(bert, texts, methods)]
    seen = []
    real = streaming.explain
    monkeypatch.setattr(streaming, "explain", lambda adapter, chunk, *a, **k: seen.append(len(chunk)) or
                        real(adapter, chunk, *a, **k))
    out = tmp_path / "out.jsonl"
    summary = streaming.explain_to_jsonl(bert, methods, path, out, block=8)
    assert seen == [8, 8, 8, 8, 5] and summary.explained == 37 and summary.resumed_from == 0
    assert_same(lines(out), whole)
    assert not streaming.partial_path(out).exists()


def test_an_interrupted_run_resumes_from_its_last_complete_line(bert, sentences, tmp_path, monkeypatch):
    path, texts = sentences
    methods = build_methods(["saliency"], {})
    whole = [e.to_dict() for e in explain(bert, texts, methods)]
    out = tmp_path / "out.jsonl"
    calls = []
    real = streaming.explain

    def interrupted(adapter, chunk, *args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(list(chunk))
        return real(adapter, chunk, *args, **kwargs)

    monkeypatch.setattr(streaming, "explain", interrupted)
    with pytest.raises(KeyboardInterrupt):
        streaming.explain_to_jsonl(bert, methods, path, out, block=10)
    partial = streaming.partial_path(out)
    assert not out.exists() and len(lines(partial)) == 20
    with partial.open("a") as handle:  # a line cut off mid-write
        handle.write('{"schema_version": 1, "kind": "explanation", "id": "20", "inp')

    with pytest.raises(ParameterError, match="add --resume to continue it"):
        streaming.explain_to_jsonl(bert, methods, path, out, block=10)
    with pytest.raises(DataError, match="written by another run"):
        streaming.explain_to_jsonl(bert, build_methods(["rollout"], {}), path, out, resume=True, block=10)

    calls.clear()
    monkeypatch.setattr(streaming, "explain", lambda adapter, chunk, *a, **k: calls.append(list(chunk)) or
                        real(adapter, chunk, *a, **k))
    summary = streaming.explain_to_jsonl(bert, methods, path, out, resume=True, block=10)
    assert [text for chunk in calls for text in chunk] == texts[20:]  # nothing repeated, nothing skipped
    assert (summary.explained, summary.resumed_from) == (17, 20)
    assert_same(lines(out), whole)


def test_cli_streams_and_checks_its_options(sentences, tmp_path):
    path, texts = sentences
    runner = CliRunner()
    out = tmp_path / "cli.jsonl"
    result = runner.invoke(app, ["attribute", "-m", "bert", "--method", "saliency", "--input", str(path),
                                 "-f", "jsonl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [d["input"] for d in lines(out)] == texts and f"wrote {out}: 37 explanations" in result.output
    for args, message in [
        (["--text", "the keys", "-f", "jsonl"], "--format jsonl streams a text model's --input file"),
        (["-m", "cnn", "--input", str(path), "-f", "jsonl"], "--format jsonl streams a text model's --input file"),
        (["--input", str(path), "--resume"], "--resume continues a streamed run"),
        (["--input", str(path), "-f", "jsonl", "--resume"], "--resume continues a streamed run"),
    ]:
        model = [] if "-m" in args else ["-m", "bert"]
        failed = runner.invoke(app, ["attribute", *model, *args])
        assert failed.exit_code == 2 and message in failed.output, (args, failed.output)
