"""Predictions that DuckDB reads and tallies: a SQL query, or a glob of Parquet, CSV or JSONL files.

DuckDB (embedded, the ``duckdb`` extra) groups the rows by the group columns, the label and the
decision and counts each combination, so only the distinct combinations reach Python, however many
rows there are. :func:`~xaudit.fairness.loading.load_predictions` then applies the same rules to
them as to rows it reads itself (0/1 or ``positive`` labels, missing values counted and dropped,
the threshold on a score), each combination weighted by its count: the audit equals that of the
rows read by pandas, intervals included.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, ParameterError
from .tallies import DECISION, ROWS, TalliedRows

if TYPE_CHECKING:
    from .groups import Grouping
    from .loading import PredictionColumns

READERS = {".parquet": "read_parquet", ".csv": "read_csv", ".jsonl": "read_json", ".json": "read_json"}
GLOB_CHARACTERS = "*?["


@dataclass(frozen=True)
class SqlQuery:
    """Rows of predictions as a DuckDB query (``name``: how the audit names its data)."""

    query: str
    name: str = ""

    def __post_init__(self) -> None:
        if not self.query.strip():
            raise ParameterError("`sql` is empty; give a query such as SELECT * FROM 'preds/*.parquet'")
        if not self.name:
            object.__setattr__(self, "name", " ".join(self.query.split()))

    def __str__(self) -> str:
        return self.name

    @classmethod
    def of_files(cls, pattern: str | Path) -> SqlQuery:
        """All rows of the files matching ``pattern`` (a glob), read by DuckDB by their suffix."""
        text = str(pattern)
        reader = READERS.get(Path(text).suffix.lower())
        if reader is None:
            raise ParameterError(f"`data` {text!r}: a glob of .parquet, .csv or .jsonl files is read by DuckDB; "
                                 "other suffixes are not")
        return cls(f"SELECT * FROM {reader}({_literal(text)})", text)


def is_glob(path: str | Path) -> bool:
    """Whether ``path`` is a glob pattern (``*``, ``?`` or ``[``) rather than one file."""
    return any(character in str(path) for character in GLOB_CHARACTERS)


def tallied_rows(source: SqlQuery, columns: PredictionColumns, grouping: Grouping) -> TalliedRows:
    """The rows of ``source`` tallied by DuckDB (see :class:`~xaudit.fairness.tallies.TalliedRows`)."""
    duckdb = _duckdb()
    keys = [*grouping.needed_columns, columns.label] + ([columns.prediction] if columns.prediction else [])
    selected = [_name(key) for key in dict.fromkeys(keys)]
    if columns.score is not None:
        score = f"CAST({_name(columns.score)} AS DOUBLE)"  # text that is not a number: a DuckDB error
        selected.append(f"CASE WHEN {score} IS NULL OR isnan({score}) THEN NULL "
                        f"WHEN {score} >= {float(columns.threshold)!r} THEN 1 ELSE 0 END AS {_name(DECISION)}")
    query = (f"SELECT {', '.join(selected)}, COUNT(*) AS {_name(ROWS)} FROM ({source.query}) AS predictions "
             "GROUP BY ALL")
    connection = duckdb.connect()
    try:
        connection.execute("SET enable_progress_bar = false")
        tallied = connection.sql(query).to_arrow_table().combine_chunks()
    except duckdb.Error as exc:
        raise DataError(f"DuckDB could not run the query on {source}: {str(exc).splitlines()[0]}") from None
    finally:
        connection.close()
    return TalliedRows(tallied, str(source))


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise ParameterError("reading a SQL query or a glob of files needs DuckDB: pip install 'xaudit[duckdb]'") \
            from None
    return duckdb


def _name(column: str) -> str:
    """A column name quoted for SQL."""
    return '"' + column.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A string quoted as a SQL literal."""
    return "'" + text.replace("'", "''") + "'"
