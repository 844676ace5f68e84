"""``xaudit.fairness.spark.group_counts`` on a local Spark (``local[2]``) equals the counts of the same rows read
by pandas, and the README's three lines run."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import require
from xaudit.errors import DataError, ParameterError
from xaudit.fairness import Grouping, PredictionColumns, load_predictions

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def spark():
    require(importlib.util.find_spec("pyspark") is not None, "pyspark is not installed (make test installs it)")
    require(shutil.which("java") is not None, "no Java runtime (make test installs Debian's as root)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("xaudit-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """Predictions with a gap by sex, missing labels and groups, string labels and a score."""
    rng = np.random.default_rng(5)
    n = 4000
    sex = rng.choice(["female", "male"], n)
    label = rng.integers(0, 2, n).astype(float)
    score = np.clip(rng.normal(0.4 + 0.1 * (sex == "male") + 0.2 * label, 0.2), 0, 1)
    label[rng.choice(n, 30, replace=False)] = np.nan
    frame = pd.DataFrame({"sex": sex, "race": rng.choice(["Asian", "Black", "White"], n), "y": label,
                          "yhat": (score >= 0.5).astype(int), "score": score,
                          "income": np.where(label == 1, ">50K", "<=50K")})
    frame.loc[rng.choice(n, 12, replace=False), "race"] = None
    return frame


def same(counts, expected) -> bool:
    return counts.groups == expected.groups and np.array_equal(counts.cells, expected.cells)


@pytest.mark.parametrize("options", [
    dict(label="y", prediction="yhat", groups=["sex", "race"]),
    dict(label="y", score="score", threshold=0.6, groups=["sex"]),
    dict(label="income", prediction="yhat", positive=">50K", groups=["race"]),
])
def test_group_counts_equal_the_rows_counted_by_pandas(spark, rows, options):
    from xaudit.fairness.spark import group_counts

    ours = group_counts(spark.createDataFrame(rows), **options)
    columns = PredictionColumns(options["label"], options.get("prediction"), options.get("score"),
                                options.get("threshold"), options.get("positive"))
    expected = load_predictions(rows, columns, Grouping(columns=tuple(options["groups"]))).counts
    assert same(ours, expected) and ours.total > 3900


def test_strict_refuses_missing_values(spark, rows):
    from xaudit.fairness.spark import group_counts

    with pytest.raises(DataError, match="^30 rows with a missing label"):
        group_counts(spark.createDataFrame(rows), label="y", prediction="yhat", groups=["sex"], strict=True)


def test_the_readme_lines_run(spark, rows):
    """The README's Spark recipe, with ``df`` a Spark DataFrame of the rows."""
    block = re.search(r"```python\n(from xaudit\.fairness\.spark import .*?)```", README.read_text(), re.S).group(1)
    scope = {"df": spark.createDataFrame(rows.rename(columns={"y": "label", "yhat": "prediction"}))}
    exec(block, scope)  # noqa: S102 - the README's own lines
    expected = load_predictions(rows, PredictionColumns("y", "yhat"), Grouping(columns=("sex", "race"))).counts
    assert same(scope["counts"], expected) and scope["result"].groups


def test_without_pyspark_the_error_names_the_extra(rows, monkeypatch):
    from xaudit.fairness.spark import group_counts

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ParameterError, match=r"pip install 'xaudit\[spark\]'"):
        group_counts(object(), label="y", prediction="yhat", groups=["sex"])
