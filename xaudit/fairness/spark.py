"""Group counts of predictions held in a Spark DataFrame: Spark runs the GROUP BY, xaudit the audit.

    from xaudit.fairness import group_fairness
    from xaudit.fairness.spark import group_counts

    counts = group_counts(df, label="y", prediction="yhat", groups=["sex", "race"])
    result = group_fairness(counts)

Spark groups the rows by the group columns, the label and the prediction (or the decision
``score >= threshold``) and counts each combination; only those combinations are collected, and
:func:`~xaudit.fairness.loading.load_predictions` applies its usual rules to them (0/1 or
``positive`` labels, missing values counted and dropped, or refused with ``strict``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ParameterError
from .counts import GroupCounts
from .groups import Grouping
from .loading import PredictionColumns, load_predictions
from .tallies import DECISION, ROWS, TalliedRows


def group_counts(
    df: Any, *, label: str, groups: Sequence[str], prediction: str | None = None, score: str | None = None,
    threshold: float | None = None, positive: str | None = None, strict: bool = False,
) -> GroupCounts:
    """Confusion counts per group (the intersections of ``groups``) of the predictions in Spark DataFrame ``df``.

    Give ``prediction`` (0/1, or ``positive``) or ``score`` (favourable when ``score >= threshold``, 0.5 by
    default). Rows with a missing label, prediction or group are dropped (``strict``: refused).
    """
    columns = PredictionColumns(label, prediction, score, threshold, positive)
    grouping = Grouping(columns=tuple(groups))
    return load_predictions(tallied_rows(df, columns, grouping), columns, grouping, strict=strict).counts


def tallied_rows(df: Any, columns: PredictionColumns, grouping: Grouping) -> TalliedRows:
    """The distinct (groups, label, prediction or decision) of ``df`` with their count, collected from Spark."""
    functions = _spark_functions()
    keys = [*grouping.needed_columns, columns.label] + ([columns.prediction] if columns.prediction else [])
    selected = [functions.col(_name(key)) for key in dict.fromkeys(keys)]
    if columns.score is not None:
        score = functions.col(_name(columns.score)).cast("double")
        selected.append(functions.when(score.isNull() | functions.isnan(score), None)
                        .when(score >= float(columns.threshold), 1).otherwise(0).alias(DECISION))
    tallied = df.groupBy(*selected).agg(functions.count(functions.lit(1)).alias(ROWS)).toArrow()
    return TalliedRows(tallied, "a Spark DataFrame")


def _spark_functions() -> Any:
    try:
        from pyspark.sql import functions
    except ImportError:
        raise ParameterError("group counts of a Spark DataFrame need pyspark: pip install 'xaudit[spark]'") from None
    return functions


def _name(column: str) -> str:
    """A column name as Spark's ``col`` reads it (backticks keep dots and spaces literal)."""
    return "`" + column.replace("`", "``") + "`"
