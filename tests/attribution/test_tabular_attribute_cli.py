"""``xaudit attribute --data --rows``: per-column attributions of chosen table rows ("why was row 7 refused?")."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from tests.tabular_synthetic import synthetic_frame
from xaudit.attribution import get_method
from xaudit.cli import app
from xaudit.models import load_model


def test_rows_explained_per_column_equal_the_library(tiny_tabular_dir, tmp_path):
    frame = synthetic_frame(30, seed=8)
    path = tmp_path / "rows.csv"
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(app, ["attribute", "--model", str(tiny_tabular_dir), "--method", "ig,blankout",
                                      "--data", str(path), "--rows", "7,2", "-f", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)["examples"]
    adapter = load_model(str(tiny_tabular_dir))
    assert [e["id"] for e in payload] == ["7", "2"]
    for explanation, row in zip(payload, (7, 2)):
        assert explanation["tokens"] == adapter.schema.names
        assert explanation["params"]["ig"]["baseline"] == "typical"
        batch = adapter.encode(frame.iloc[[row]])
        for name in ("ig", "blankout"):
            (expected,) = get_method(name).attribute(adapter, batch)
            np.testing.assert_allclose(explanation["scores"][name], expected.scores, rtol=1e-5, atol=1e-6)


def test_bad_rows_and_values(tiny_tabular_dir, tmp_path):
    frame = synthetic_frame(10, seed=8)
    frame.loc[4, "status"] = "A19"
    path = tmp_path / "rows.csv"
    frame.to_csv(path, index=False)
    base = ["attribute", "--model", str(tiny_tabular_dir), "--data", str(path)]
    outside = CliRunner().invoke(app, [*base, "--rows", "12"])
    assert outside.exit_code == 2 and "--rows 12 is outside the table's rows 0..9" in outside.output
    bad = CliRunner().invoke(app, [*base, "--rows", "1,4"])
    assert bad.exit_code == 3 and "column 'status', row 4: unseen category 'A19'" in bad.output
    assert CliRunner().invoke(app, [*base, "--rows", "1,3"]).exit_code == 0
