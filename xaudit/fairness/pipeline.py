"""Read decisions (a predictions table, per-group counts, a built-in example, or a tabular model's
decisions on a table) and audit them.

The one entry point shared by ``xaudit fairness`` and the HTML report.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ParameterError
from ..progress import ProgressFn
from ..validation import check_choice
from .audit import AuditSettings, group_fairness
from .groups import Definition, Grouping
from .loading import PredictionColumns, load_counts, load_predictions
from .model_decisions import run_model_fairness
from .result import FairnessResult
from .sql import SqlQuery, is_glob
from .examples import EXAMPLES


def run_group_fairness(
    *, data: Path | None, counts: Path | None, example: str | None, label_col: str | None, pred_col: str | None,
    score_col: str | None, threshold: float | None, positive: str | None, group_cols: list[str],
    definitions: list[Definition], groups: list[str], strict: bool, settings: AuditSettings, progress: ProgressFn,
    model: str | None = None, save_predictions: Path | None = None, device: str = "cpu", text_col: str | None = None,
    sql: str | None = None,
) -> tuple[FairnessResult, list[str]]:
    """Read predictions (or counts, or a built-in example) and audit them; also returns warnings.

    With a tabular ``model`` (or a text classifier reading ``text_col``), ``data`` is the table it decides
    on (:func:`run_model_fairness`). ``sql`` (a DuckDB query) or a glob as ``data`` is read and tallied by
    DuckDB (:mod:`xaudit.fairness.sql`).
    """
    if text_col is not None and model is None:
        raise ParameterError("`text_col` applies with `model`: the text classifier that reads it")
    if model is not None:
        used = [name for name, value in (("`counts`", counts), ("`example`", example), ("`pred_col`", pred_col),
                                         ("`score_col`", score_col), ("`sql`", sql)) if value is not None]
        if used:
            raise ParameterError(f"{used[0]} does not apply to `model` (the model makes the decisions)")
        return run_model_fairness(model=model, data=data, groups=groups, strict=strict, settings=settings,
                                  save_predictions=save_predictions, progress=progress, label_col=label_col,
                                  positive=positive, threshold=threshold, group_cols=group_cols,
                                  definitions=definitions, device=device, text_col=text_col)
    given = [name for name, value in (("`data`", data), ("`counts`", counts), ("`example`", example),
                                      ("`sql`", sql)) if value]
    if len(given) != 1:
        raise ParameterError("give exactly one of `data`, `sql`, `counts` and `example`")
    if example is not None:
        chosen = EXAMPLES[check_choice("example", example, EXAMPLES)]
        source = chosen.make()
        label_col, pred_col = label_col or chosen.label, pred_col or (None if score_col else chosen.prediction)
        group_cols = group_cols or ([] if definitions else list(chosen.group_cols))
    elif sql is not None:
        source = SqlQuery(sql)
    else:
        source = SqlQuery.of_files(data) if data is not None and is_glob(data) else data or counts
    grouping = Grouping(columns=tuple(group_cols), definitions=tuple(definitions))
    if counts is not None:
        used = [name for name, value in (("`label_col`", label_col), ("`pred_col`", pred_col),
                                         ("`score_col`", score_col), ("`threshold`", threshold),
                                         ("`positive`", positive)) if value is not None]
        if used:
            raise ParameterError(f"{used[0]} does not apply to `counts` (the counts are already tallied)")
        loaded = load_counts(source, grouping, groups=groups, strict=strict, progress=progress)
    else:
        if label_col is None:
            raise ParameterError("give the true label column with `label_col`")
        columns = PredictionColumns(label_col, pred_col, score_col, threshold, positive)
        loaded = load_predictions(source, columns, grouping, groups=groups, strict=strict, progress=progress)
    described = loaded.describe() | ({"data": f"example:{example}"} if example else {})
    return group_fairness(loaded.counts, settings, source=described), loaded.report.warnings()
