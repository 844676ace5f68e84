"""Read the columns an audit needs, chunk by chunk, from CSV, Parquet, JSONL or memory.

Only one chunk (about ``chunk_rows`` rows) is in memory at a time, so memory stays flat
however large the file: Parquet through pyarrow's batch iterator (one row group at a time),
CSV and JSONL in blocks of whole lines, each parsed by pyarrow.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from ..errors import DataError, ParameterError, XauditError, unknown_choice
from ..progress import ProgressFn, silent

Source = str | os.PathLike[str] | pa.Table | pd.DataFrame | Iterator[pd.DataFrame]
"""A file path, a table already in memory, or tables made one after another (read once, in order)."""
Columnar = pa.Table | pa.RecordBatch
"""One chunk of rows."""

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
CHUNK_ROWS = 1 << 20
SAMPLE_BYTES = 1 << 16
"""Bytes read ahead from text files to see the header and estimate the row length."""
MIN_BLOCK_BYTES = 4096
PROGRESS = "reading"


def source_name(source: Source) -> str:
    return "the table" if isinstance(source, (pa.Table, pd.DataFrame, Iterator)) else str(source)


def iter_batches(
    source: Source,
    columns: Sequence[str],
    *,
    text_columns: Sequence[str] = (),
    float_columns: Sequence[str] = (),
    chunk_rows: int = CHUNK_ROWS,
    progress: ProgressFn = silent,
) -> Iterator[Columnar]:
    """Chunks holding exactly ``columns``; a missing column is an error listing those available.

    ``text_columns`` / ``float_columns`` fix the types CSV values are parsed to (other
    formats keep their stored types). Unreadable content raises DataError.
    """
    columns = list(dict.fromkeys(columns))
    if isinstance(source, (pa.Table, pd.DataFrame)):
        batches = _memory_batches(source, columns, chunk_rows)
    elif isinstance(source, Iterator):
        batches = (batch for table in source for batch in _memory_batches(table, columns, chunk_rows))
    else:
        path = Path(source)
        if path.is_dir():
            raise DataError(f"{path} is a folder; give a file ({', '.join(sorted(FORMATS))})")
        kind = FORMATS.get(path.suffix.lower())
        if kind is None:
            raise unknown_choice("file type", path.suffix or path.name, FORMATS)
        if not path.is_file():
            raise DataError(f"file not found: {path}")
        if kind == "parquet":
            batches = _parquet_batches(path, columns, chunk_rows, progress)
        elif kind == "csv":
            batches = _csv_batches(path, columns, text_columns, float_columns, chunk_rows, progress)
        else:
            batches = _jsonl_batches(path, columns, chunk_rows, progress)
    try:
        yield from batches
    except XauditError:
        raise
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataError(f"cannot read {source_name(source)}: {exc}") from None


def require_columns(wanted: Sequence[str], available: Sequence[str], where: str) -> None:
    """ParameterError naming the first missing column and listing the available ones."""
    missing = [column for column in wanted if column not in available]
    if missing:
        raise ParameterError(f"column {missing[0]!r} not found in {where}; available: {', '.join(available)}")


def _memory_batches(table: pa.Table | pd.DataFrame, columns: list[str], chunk_rows: int) -> Iterator[Columnar]:
    if isinstance(table, pd.DataFrame):
        require_columns(columns, [str(c) for c in table.columns], "the table")
        table = pa.Table.from_pandas(table[columns], preserve_index=False)
    require_columns(columns, table.column_names, "the table")
    yield from table.select(columns).to_batches(max_chunksize=chunk_rows)


def _parquet_batches(path: Path, columns: list[str], chunk_rows: int, progress: ProgressFn) -> Iterator[Columnar]:
    parquet = pq.ParquetFile(path)
    require_columns(columns, parquet.schema_arrow.names, str(path))
    total, done = parquet.metadata.num_rows, 0
    for batch in parquet.iter_batches(batch_size=chunk_rows, columns=columns):
        done += batch.num_rows
        progress(PROGRESS, done, total)
        yield batch


def _text_sample(path: Path) -> bytes:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if not sample.strip():
        raise DataError(f"{path} is empty")
    return sample


def _block_size(sample: bytes, chunk_rows: int) -> int:
    """Bytes per chunk so that a chunk holds about ``chunk_rows`` rows."""
    return max(int(len(sample) / (sample.count(b"\n") + 1) * chunk_rows), MIN_BLOCK_BYTES)


def _line_blocks(path: Path, block_bytes: int, skip_header: bool, progress: ProgressFn) -> Iterator[pa.Buffer]:
    """The file in blocks of whole lines, read here rather than by pyarrow's streaming readers,
    which read far ahead of the consumer: one block at a time keeps memory flat."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if skip_header:
            handle.readline()
        rest = b""
        while block := handle.read(block_bytes):
            block = rest + block
            cut = block.rfind(b"\n") + 1  # 0 while a row is longer than the block: read on
            rest = block[cut:]
            if cut:
                progress(PROGRESS, handle.tell(), size)
                yield pa.py_buffer(block[:cut])
        if rest.strip():
            yield pa.py_buffer(rest)


def _csv_batches(path: Path, columns: list[str], text_columns: Sequence[str], float_columns: Sequence[str],
                 chunk_rows: int, progress: ProgressFn) -> Iterator[Columnar]:
    sample = _text_sample(path)
    header = next(csv.reader(io.StringIO(sample.decode("utf-8-sig", errors="replace"))), [])
    require_columns(columns, header, str(path))
    types = {c: pa.float64() for c in float_columns} | {c: pa.string() for c in text_columns}
    convert = pa_csv.ConvertOptions(include_columns=columns, column_types=types, strings_can_be_null=True)
    read = pa_csv.ReadOptions(column_names=header)
    for block in _line_blocks(path, _block_size(sample, chunk_rows), skip_header=True, progress=progress):
        yield pa_csv.read_csv(block, read_options=read, convert_options=convert)


def _jsonl_batches(path: Path, columns: list[str], chunk_rows: int, progress: ProgressFn) -> Iterator[Columnar]:
    """JSON lines; the types of the wanted fields come from the first lines, other fields are ignored
    (so a stray type in a field the audit does not use cannot break the read)."""
    sample = _text_sample(path)
    lines = sample.decode("utf-8", errors="replace").splitlines()[:-1] or [sample.decode("utf-8", "replace")]
    try:
        records = [json.loads(line) for line in lines if line.strip()]
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not JSON lines ({exc.msg})") from None
    if not all(isinstance(record, dict) for record in records):
        raise DataError(f"{path}: expected one JSON object per line")
    require_columns(columns, list(dict.fromkeys(key for record in records for key in record)), str(path))
    schema = pa.Table.from_pylist([{c: record.get(c) for c in columns} for record in records]).schema
    parse = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    for block in _line_blocks(path, _block_size(sample, chunk_rows), skip_header=False, progress=progress):
        yield pa_json.read_json(block, parse_options=parse)
