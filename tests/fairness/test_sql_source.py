"""DuckDB reads and tallies predictions (``--sql``, a glob as ``--data``); the audit equals the one of the same
rows read by pandas, intervals included, and the README's GROUP BY query run on DuckDB gives the same audit
through ``--counts``."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import require
from xaudit.cli import app
from xaudit.errors import DataError, ParameterError
from xaudit.fairness import AuditSettings
from xaudit.fairness.groups import parse_definition
from xaudit.fairness.pipeline import run_group_fairness

README = Path(__file__).resolve().parents[2] / "README.md"
SETTINGS = AuditSettings(n_boot=200, seed=7)


@pytest.fixture(autouse=True)
def _duckdb_installed():
    require(importlib.util.find_spec("duckdb") is not None, "duckdb is not installed (pip install 'xaudit[duckdb]')")


@pytest.fixture
def parts(tmp_path) -> tuple[Path, pd.DataFrame]:
    """Predictions split over three Parquet and three CSV files, with a true gap by sex, missing values and
    a group under 2% of the rows; the whole table in one frame."""
    rng = np.random.default_rng(3)
    frames = []
    for part in range(3):
        n = 3000
        sex = rng.choice(["female", "male"], n)
        race = rng.choice(["Asian", "Black", "White", "Other"], n, p=[0.2, 0.25, 0.54, 0.01])
        label = rng.integers(0, 2, n).astype(float)
        score = np.clip(rng.normal(0.45 + 0.1 * (sex == "male") + 0.2 * label, 0.2), 0, 1)
        label[rng.choice(n, 15, replace=False)] = np.nan
        frame = pd.DataFrame({"sex": sex, "race": race, "label": label, "score": score,
                              "prediction": (score >= 0.5).astype(int),
                              "income": np.where(label == 1, ">50K", np.where(np.isnan(label), None, "<=50K"))})
        frame.loc[rng.choice(n, 5, replace=False), "race"] = None
        frame.to_parquet(tmp_path / f"part-{part}.parquet", index=False)
        frame.to_csv(tmp_path / f"part-{part}.csv", index=False)
        frames.append(frame)
    whole = pd.concat(frames, ignore_index=True)
    whole.to_parquet(tmp_path / "whole.parquet", index=False)
    return tmp_path, whole


def audit(**options) -> dict:
    defaults = dict(data=None, counts=None, example=None, label_col=None, pred_col=None, score_col=None,
                    threshold=None, positive=None, group_cols=[], definitions=[], groups=[], strict=False,
                    settings=SETTINGS, progress=lambda *a: None)
    result, warnings = run_group_fairness(**(defaults | options))
    payload = result.to_dict()
    return {"audit": {key: value for key, value in payload.items() if key != "source"},
            "rows": payload["source"]["rows"], "warnings": warnings}


@pytest.mark.parametrize("options", [
    dict(label_col="label", pred_col="prediction", group_cols=["sex", "race"]),
    dict(label_col="label", score_col="score", threshold=0.6, group_cols=["sex"]),
    dict(label_col="label", pred_col="prediction", group_cols=["race"]),
    dict(label_col="income", score_col="score", positive=">50K", group_cols=["sex"]),
    dict(label_col="label", pred_col="prediction",
         definitions=[parse_definition("women=sex:female"), parse_definition("Black men=sex:male&race:Black")]),
])
@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_a_glob_read_by_duckdb_equals_the_rows_read_by_pandas(parts, options, suffix):
    folder, _ = parts
    by_duckdb = audit(data=folder / f"part-*.{suffix}", **options)
    by_pandas = audit(data=folder / "whole.parquet", **options)
    assert by_duckdb == by_pandas
    assert by_duckdb["rows"]["rows_read"] == 9000 and by_duckdb["rows"]["dropped"] > 0  # missing labels or races


def test_a_query_equals_the_rows_it_selects(parts):
    folder, whole = parts
    query = (f"SELECT sex, race, CASE WHEN income = '>50K' THEN 1 WHEN income IS NULL THEN NULL ELSE 0 END AS y, "
             f"prediction FROM read_parquet('{folder}/part-*.parquet') WHERE race <> 'Other'")
    selected = whole[whole["race"].notna() & (whole["race"] != "Other")]  # SQL's <> drops NULL races too
    selected = selected.assign(y=selected["label"])
    selected.to_parquet(folder / "selected.parquet", index=False)
    options = dict(label_col="y", pred_col="prediction", group_cols=["sex", "race"])
    assert audit(sql=query, **options) == audit(data=folder / "selected.parquet", **options)


def test_strict_counts_missing_rows_of_every_combination(parts):
    folder, whole = parts
    with pytest.raises(DataError, match=f"^{int(whole['label'].isna().sum())} rows with a missing label"):
        audit(data=folder / "part-*.parquet", label_col="label", pred_col="prediction", group_cols=["sex"],
              strict=True)


def test_the_readme_group_by_query_run_on_duckdb_gives_the_audit_of_the_rows(parts):
    """The README's counting query, taken from the README itself, run by DuckDB; then --counts."""
    import duckdb

    folder, whole = parts
    query = re.search(r"```sql\n(.*?)```", README.read_text(), re.S).group(1)
    assert "GROUP BY sex, race" in query
    connection = duckdb.connect()
    connection.execute(f"CREATE VIEW predictions AS SELECT * FROM read_parquet('{folder}/part-*.parquet')")
    connection.execute(f"COPY ({query}) TO '{folder}/counts.parquet' (FORMAT PARQUET)")
    from_counts = audit(counts=folder / "counts.parquet", group_cols=["sex", "race"])
    from_rows = audit(data=folder / "whole.parquet", label_col="label", pred_col="prediction",
                      group_cols=["sex", "race"])
    assert from_counts["audit"] == from_rows["audit"]
    kept = whole.dropna(subset=["label", "race"])
    assert sum(g["n"] for g in from_counts["audit"]["groups"]) == len(kept)


def test_cli_sql_and_glob(parts, tmp_path):
    folder, _ = parts
    runner = CliRunner()
    out = tmp_path / "out.json"
    ok = runner.invoke(app, ["fairness", "--sql", f"SELECT * FROM '{folder}/part-*.csv'", "--label-col", "label",
                             "--pred-col", "prediction", "--group-cols", "sex", "-f", "json", "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    assert json.loads(out.read_text())["source"]["data"] == f"SELECT * FROM '{folder}/part-*.csv'"
    for args, code, message in [
        (["--sql", f"SELECT * FROM '{folder}/part-*.csv'", "--label-col", "nosuch", "--pred-col", "prediction"], 3,
         'column "nosuch" not found'),
        (["--sql", f"SELECT *, 'high' AS s FROM '{folder}/part-*.csv'", "--label-col", "label", "--score-col", "s"],
         3, "Could not convert string 'high'"),
        (["--data", f"{folder}/part-*.txt", "--label-col", "label", "--pred-col", "prediction"], 2,
         "a glob of .parquet, .csv or .jsonl files"),
        (["--data", f"{folder}/nothing-*.csv", "--label-col", "label", "--pred-col", "prediction"], 3,
         "No files found"),
        (["--sql", "SELECT 1", "--data", f"{folder}/whole.parquet", "--label-col", "label"], 2,
         "give exactly one of --data, --sql"),
        (["--sql", "SELECT 1", "--model", "credit"], 2, "--sql does not apply to --model"),
    ]:
        result = runner.invoke(app, ["fairness", *args, "--group-cols", "sex", "-o", str(tmp_path / "no.json")])
        assert result.exit_code == code and message in result.output, (args, result.output)
        assert not (tmp_path / "no.json").exists()


def test_without_duckdb_the_error_names_the_extra(parts, monkeypatch):
    folder, _ = parts
    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(ParameterError, match=r"pip install 'xaudit\[duckdb\]'"):
        audit(data=folder / "part-*.parquet", label_col="label", pred_col="prediction", group_cols=["sex"])
