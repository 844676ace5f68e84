"""``xaudit cloze`` through typer's CliRunner: outputs, saved predictions, one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from xaudit.cli import app

from .synthetic import row, write_mozart

runner = CliRunner()
TEXTS = {"en": "the cat [MASK] the dog .", "de": "die katze [MASK] den hund ."}


@pytest.fixture
def mozart(tmp_path):
    """Two languages, one sentence each, one annotator per group."""
    flags = {"MN": (1, 1), "FN": (0, 1), "MNN": (1, 0), "FNN": (0, 0)}
    rows = {lang: [row(text=text, true_mask="sees" if lang == "en" else "sieht", u_id=group,
                       mask=("sees" if lang == "en" else "Sieht") if group in ("MN", "FNN") else "likes",
                       male=m, female=1 - m, native=n, nonnative=1 - n)
                   for group, (m, n) in flags.items()] for lang, text in TEXTS.items()}
    return write_mozart(tmp_path / "mozart", rows)


@pytest.fixture
def predictions(tmp_path):
    path = tmp_path / "predictions.jsonl"
    lines = [{"language": "en", "s_id": "1", "top_k": ["likes", "sees"]},
             {"language": "de", "s_id": "1", "top_k": ["sieht", "mag"], "model": "elsewhere"}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def cloze(*args: str):
    return runner.invoke(app, ["cloze", *args])


def test_table_from_saved_predictions(mozart, predictions):
    result = cloze("--mozart", str(mozart), "--languages", "en,de", "--predictions", str(predictions), "--k", "1,2")
    assert result.exit_code == 0, result.output
    for text in ("P@1 of predictions file predictions.jsonl (%)", "P@2", "Human baseline", "mean (σ_gd)", "MNN",
                 "Data checks"):
        assert text in result.output


def test_json_to_file(mozart, predictions, tmp_path):
    out = tmp_path / "cloze.json"
    result = cloze("--mozart", str(mozart), "--languages", "en,de", "--predictions", str(predictions),
                   "--k", "2,1,2", "--format", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text())
    assert payload["schema_version"] == 1 and payload["k"] == [2, 1] and payload["n_annotations"] == 8


def test_json_cells(mozart, predictions):
    result = cloze("--mozart", str(mozart), "--languages", "en,de", "--predictions", str(predictions), "--k", "1,2",
                   "--format", "json")
    payload = json.loads(result.stdout)
    cells = {(c["group"], c["language"]): c for c in payload["p_at_k"]["1"]["cells"]}
    assert cells["FN", "en"]["p_at_k"] == 1.0 and cells["MN", "en"]["p_at_k"] == 0.0  # en top-1 is "likes"
    assert cells["MN", "de"]["p_at_k"] == 1.0 and cells["FN", "de"]["p_at_k"] == 0.0  # de top-1 is "sieht"
    assert payload["p_at_k"]["2"]["language_means"]["en"] == {"mean": 1.0, "std": 0.0}
    assert payload["human_baseline"]["language_means"]["de"] == {"mean": 0.5, "std": 0.5}


def test_csv(mozart, predictions):
    result = cloze("--mozart", str(mozart), "--languages", "en", "--predictions", str(predictions), "--k", "2",
                   "--groups", "MN,FN", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "kind,model,table,group,language,hits,n,multi_word,value,std"
    model = lines[1].split(",")[1]
    assert model and f"cell,{model},P@2,MN,en,1,1,0,1.0," in lines


def test_model_run_saves_predictions_that_reproduce_the_audit(mozart, tiny_mlm_dir, tmp_path):
    saved = tmp_path / "saved.jsonl"
    args = ["--mozart", str(mozart), "--languages", "en,de", "--format", "json"]
    first = cloze(*args, "--model", str(tiny_mlm_dir), "--save-predictions", str(saved))
    assert first.exit_code == 0, first.output
    lines = [json.loads(line) for line in saved.read_text(encoding="utf-8").splitlines()]
    assert [(x["language"], x["s_id"], len(x["top_k"])) for x in lines] == [("en", "1", 5), ("de", "1", 5)]
    again = cloze(*args, "--predictions", str(saved))
    a, b = json.loads(first.stdout), json.loads(again.stdout)
    assert a.pop("model") == str(tiny_mlm_dir) and b.pop("model") == "predictions file saved.jsonl"
    assert a == b


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--languages", "en,it"], 2, "unknown language 'it'; choose one of: de, en, es, fr"),
        (["--groups", "MN,XX"], 2, "unknown group 'XX'; choose one of: FN, FNN, MN, MNN"),
        (["--k", "0"], 2, "The 'k' parameter must be an int >= 1. Got 0 instead."),
        (["--k", "1,x"], 2, "Got 'x' instead"),
        (["--k", ""], 2, "must name at least one value"),
        (["--model", "mlm"], 2, "predictions from a file need no model"),
    ],
)
def test_bad_options_exit_2_with_one_line(mozart, predictions, tmp_path, args, code, message):
    out = tmp_path / "out.json"
    result = cloze("--mozart", str(mozart), "--languages", "en,de", "--predictions", str(predictions),
                   "-o", str(out), *args)
    assert result.exit_code == code
    assert message in result.output and result.output.count("Error:") == 1
    assert not out.exists()


def test_bad_data_exits_3_without_output(mozart, predictions, tmp_path):
    out = tmp_path / "out.json"
    missing = cloze("--data", str(tmp_path / "nowhere"), "--predictions", str(predictions), "-o", str(out))
    assert missing.exit_code == 2 and "does not exist" in missing.output  # a usage error, found before any work
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"language": "en", "s_id": "1", "top_k": "sees"}\n', encoding="utf-8")
    malformed = cloze("--mozart", str(mozart), "--languages", "en", "--predictions", str(broken), "-o", str(out))
    assert malformed.exit_code == 3 and "broken.jsonl:1: 'top_k' must be a list of words" in malformed.output
    short = cloze("--mozart", str(mozart), "--languages", "en,de", "--predictions", str(predictions), "--k", "3")
    assert short.exit_code == 3 and "P@3 needs 3 predicted words" in short.output
    assert not out.exists()


def test_default_data_folder_comes_from_the_environment(mozart, predictions, monkeypatch):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(mozart.parent))
    assert cloze("--languages", "en", "--predictions", str(predictions), "--k", "1").exit_code == 0
    monkeypatch.delenv("XAUDIT_DATA_DIR")
    monkeypatch.chdir(mozart)  # no ../shared/data beside it
    result = cloze("--languages", "en", "--predictions", str(predictions))
    assert result.exit_code == 3 and "pass --mozart (the mozart/ folder) or set XAUDIT_DATA_DIR" in result.output


def test_not_a_masked_lm_exits_3(mozart, tiny_models_dir):
    result = cloze("--mozart", str(mozart), "--languages", "en", "--model", str(tiny_models_dir / "bert"))
    assert result.exit_code == 3 and "not a masked language model" in result.output


def fairness(*args: str):
    return runner.invoke(app, ["fairness", *args])


def test_fairness_on_a_mozart_folder_is_the_cloze_audit(mozart, predictions):
    args = ["--languages", "en,de", "--predictions", str(predictions), "--k", "1,2", "--format", "json"]
    via_fairness = fairness("--mozart", str(mozart), *args)
    assert via_fairness.exit_code == 0, via_fairness.output
    assert json.loads(via_fairness.stdout) == json.loads(cloze("--mozart", str(mozart), *args).stdout)
    for old in (fairness("--data", str(mozart), *args), cloze("--data", str(mozart), *args)):  # old spelling
        assert old.exit_code == 0 and json.loads(old.stdout) == json.loads(via_fairness.stdout)
    both = fairness("--mozart", str(mozart), "--data", str(mozart), *args)
    assert both.exit_code == 2 and "not both" in both.output


def test_fairness_with_mozart_groups_reads_the_default_folder(mozart, predictions, monkeypatch):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(mozart.parent))
    result = fairness("--groups", "MN,FNN", "--languages", "en", "--predictions", str(predictions), "--k", "1",
                      "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {c["group"] for c in payload["p_at_k"]["1"]["cells"]} == {"MN", "FNN"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--example", "credit", "--k", "1"], "--k applies to the cloze audit only"),
        (["--example", "credit", "--groups", "MN,FN"], "--predictions applies to the cloze audit only"),
        (["--mozart", "MOZART", "--label-col", "y"], "--label-col does not apply to the cloze audit"),
        (["--groups", "MN,FN", "--fail-on", "statistical_parity_ratio<0.8"], "--fail-on does not apply"),
        (["--mozart", "MOZART", "--n-boot", "5"], "--n-boot does not apply to the cloze audit"),
        (["--groups", "MN,FN", "--strict"], "--strict does not apply to the cloze audit"),
    ],
)
def test_fairness_keeps_cloze_and_table_options_apart(mozart, predictions, monkeypatch, args, message):
    monkeypatch.setenv("XAUDIT_DATA_DIR", str(mozart.parent))
    result = fairness(*[str(mozart) if a == "MOZART" else a for a in args], "--predictions", str(predictions))
    assert result.exit_code == 2, result.output
    assert message in result.output and result.output.count("Error:") == 1


def test_fairness_with_mozart_groups_on_another_folder_says_what_is_missing(mozart, tmp_path):
    result = fairness("--data", str(mozart.parent), "--groups", "MN,FN", "--label-col", "y")
    assert result.exit_code == 2 and "is not a MozArt folder" in result.output


def test_hit_counts_beside_p_at_k_and_a_warning_far_below_the_human_baseline(mozart, tmp_path):
    # the model's first guess is never an annotator's answer; its second is "sees"/"sieht" (MN and FNN answered it)
    path = tmp_path / "weak.jsonl"
    lines = [{"language": "en", "s_id": "1", "top_k": ["runs", "sees"]},
             {"language": "de", "s_id": "1", "top_k": ["läuft", "sieht"]}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    result = cloze("--mozart", str(mozart), "--languages", "en,de", "--predictions", str(path), "--k", "1,2",
                   "-f", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    human = payload["human_baseline"]
    human_rate = sum(c["hits"] for c in human["cells"]) / sum(c["n"] for c in human["cells"])
    assert human_rate == 0.5  # MN and FNN reproduced the original word in both languages
    assert "pooled P@1" in result.output and "0.0% (0 hits in 8 annotations)" in result.output  # 0 < 20% of 50%
    assert "pooled P@2" not in result.output  # P@2 = 50%: not far below the baseline
    table = cloze("--mozart", str(mozart), "--languages", "en,de", "--predictions", str(path), "--k", "2")
    cells = {(c["group"], c["language"]): c for c in payload["p_at_k"]["2"]["cells"]}
    assert cells[("MN", "en")]["hits"] == 1 and "100.0 (1/1)" in table.output and "0.0 (0/1)" in table.output
