"""Reading predictions: formats, chunks, labels, scores, groups, definitions and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xaudit.errors import DataError, ParameterError
from xaudit.fairness import Grouping, PredictionColumns, count_arrays, load_counts, load_predictions
from xaudit.fairness.groups import parse_definition, read_definitions
from xaudit.fairness.tables import iter_batches

BY_G = Grouping(columns=("g",))
Y = PredictionColumns("y", "yhat")


def _write(frame: pd.DataFrame, path):
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True)
    return path


def _same(a, b):
    assert a.groups == b.groups
    np.testing.assert_array_equal(a.cells, b.cells)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_each_format_in_small_chunks_equals_counting_in_memory(predictions, tmp_path, suffix):
    path = _write(predictions, tmp_path / f"p{suffix}")
    expected = count_arrays(predictions.y, predictions.yhat, predictions.g)
    chunked = load_predictions(path, Y, BY_G, chunk_rows=50)
    _same(chunked.counts, expected)
    _same(load_predictions(path, Y, BY_G).counts, expected)
    assert chunked.report.rows_read == len(predictions)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_files_are_read_in_several_bounded_chunks(predictions, tmp_path, suffix):
    path = _write(predictions, tmp_path / f"p{suffix}")
    sizes = [batch.num_rows for batch in iter_batches(path, ["y", "g"], chunk_rows=100)]
    assert sum(sizes) == len(predictions)
    assert len(sizes) >= 3
    assert max(sizes) <= 300  # text formats size chunks in bytes from the average row length


@settings(max_examples=25, deadline=None)
@given(chunk_rows=st.integers(min_value=1, max_value=700), seed=st.integers(min_value=0, max_value=10_000))
def test_chunk_size_never_changes_the_counts(chunk_rows, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    frame = pd.DataFrame({"y": rng.integers(0, 2, n), "yhat": rng.integers(0, 2, n),
                          "g": rng.choice(["a", "b", "c"], n), "h": rng.choice(["u", "v"], n)})
    grouping = Grouping(columns=("g", "h"))
    one_shot = load_predictions(frame, Y, grouping, chunk_rows=10**6).counts
    _same(load_predictions(frame, Y, grouping, chunk_rows=chunk_rows).counts, one_shot)


def test_score_and_threshold(predictions):
    columns = PredictionColumns("y", score="score", threshold=0.6)
    counts = load_predictions(predictions, columns, BY_G).counts
    _same(counts, count_arrays(predictions.y, (predictions.score >= 0.6).astype(int), predictions.g))
    default = load_predictions(predictions, PredictionColumns("y", score="score"), BY_G).counts
    _same(default, count_arrays(predictions.y, predictions.yhat, predictions.g))  # yhat = score >= 0.5


def test_positive_names_the_favourable_label(predictions, tmp_path):
    text = predictions.assign(y=np.where(predictions.y == 1, ">50K", "<=50K"),
                              yhat=np.where(predictions.yhat == 1, ">50K", "<=50K"))
    path = _write(text, tmp_path / "text.csv")
    counts = load_predictions(path, PredictionColumns("y", "yhat", positive=">50K"), BY_G).counts
    _same(counts, count_arrays(predictions.y, predictions.yhat, predictions.g))
    flipped = load_predictions(path, PredictionColumns("y", "yhat", positive="<=50K"), BY_G).counts
    _same(flipped, count_arrays(1 - predictions.y, 1 - predictions.yhat, predictions.g))


def test_non_binary_labels_need_positive(predictions, tmp_path):
    text = predictions.assign(y=np.where(predictions.y == 1, "good", "bad"))
    with pytest.raises(DataError, match=r"label column 'y' is not 0/1 \(values include 'bad', 'good'\); "
                                        r"name the favourable label with `positive`"):
        load_predictions(_write(text, tmp_path / "t.csv"), Y, BY_G)
    three = predictions.assign(yhat=predictions.yhat * 2)
    with pytest.raises(DataError, match=r"prediction column 'yhat' is not 0/1 \(values include '2'\)"):
        load_predictions(three, Y, BY_G)


def test_positive_that_never_occurs_is_an_error(predictions):
    with pytest.raises(ParameterError, match=r"`positive` '>50k' occurs in neither .* the labels are: '0', '1'"):
        load_predictions(predictions, PredictionColumns("y", "yhat", positive=">50k"), BY_G)


def test_missing_values_are_counted_and_dropped_or_refused(predictions, tmp_path):
    holes = predictions.astype({"y": float, "yhat": float})
    holes.loc[[0, 1, 2], "y"] = np.nan
    holes.loc[[2, 3], "yhat"] = np.nan
    holes.loc[[4], "g"] = None
    path = _write(holes, tmp_path / "holes.csv")
    loaded = load_predictions(path, Y, BY_G)
    keep = ~holes.index.isin([0, 1, 2, 3, 4])
    _same(loaded.counts, count_arrays(predictions.y[keep], predictions.yhat[keep], predictions.g[keep]))
    report = loaded.report
    assert (report.rows_read, report.missing_label, report.missing_prediction, report.missing_group,
            report.dropped) == (600, 3, 2, 1, 5)
    assert report.warnings() == ["dropped 3 rows with a missing label", "dropped 2 rows with a missing prediction",
                                 "dropped 1 rows with a missing group value"]
    with pytest.raises(DataError, match=r"^3 rows with a missing label in 'y' \(`strict` refuses to drop them\)"):
        load_predictions(path, Y, BY_G, strict=True)
    holes_in_groups = predictions.assign(g=predictions.g.where(predictions.index != 7))
    with pytest.raises(DataError, match=r"^1 rows with a missing group in 'g'"):
        load_predictions(holes_in_groups, Y, BY_G, strict=True)


def test_missing_column_lists_the_available_ones(predictions, tmp_path):
    path = _write(predictions, tmp_path / "p.parquet")
    with pytest.raises(ParameterError, match=r"column 'label' not found in .*p\.parquet; "
                                             r"available: id, g, race, y, score, yhat"):
        load_predictions(path, PredictionColumns("label", "yhat"), BY_G)
    with pytest.raises(ParameterError, match="column 'sex' not found"):
        load_predictions(_write(predictions, tmp_path / "p.csv"), Y, Grouping(columns=("sex",)))


def test_empty_inputs_are_data_errors(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataError, match="empty.csv is empty"):
        load_predictions(tmp_path / "empty.csv", Y, BY_G)
    (tmp_path / "header.csv").write_text("y,yhat,g\n")
    with pytest.raises(DataError, match="header.csv holds no rows"):
        load_predictions(tmp_path / "header.csv", Y, BY_G)
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(DataError, match="is empty"):
        load_predictions(tmp_path / "empty.jsonl", Y, BY_G)
    with pytest.raises(DataError, match="file not found"):
        load_predictions(tmp_path / "nowhere.csv", Y, BY_G)
    with pytest.raises(DataError, match=r"is a folder; give a file \(\.csv, \.jsonl"):
        load_predictions(tmp_path, Y, BY_G)
    with pytest.raises(ParameterError, match=r"unknown file type '\.xlsx'; choose one of: \.csv, \.jsonl"):
        load_predictions(tmp_path / "p.xlsx", Y, BY_G)


def test_all_rows_dropped_is_a_data_error():
    frame = pd.DataFrame({"y": [np.nan, np.nan], "yhat": [1, 0], "g": ["a", "b"]})
    with pytest.raises(DataError, match="no rows left to audit in the table: 2 dropped for missing values"):
        load_predictions(frame, Y, BY_G)


def test_groups_select_and_order(predictions):
    loaded = load_predictions(predictions, Y, BY_G, groups=["c", "a"])
    assert loaded.counts.groups == ("c", "a")
    assert loaded.report.excluded == int(predictions.g.isin(["b", "d"]).sum())
    with pytest.raises(ParameterError, match=r"unknown group 'e' in `groups`; the data has: a, b, c, d"):
        load_predictions(predictions, Y, BY_G, groups=["a", "e"])


def test_definitions_form_groups_from_several_columns():
    frame = pd.DataFrame({"male": [1, 1, 0, 0, 1, 0, 0], "native": [1, 0, 1, 0, 1, 1, 1],
                          "y": [1, 0, 1, 1, 0, 0, 1], "yhat": [1, 1, 0, 1, 0, 0, 1]})
    definitions = tuple(parse_definition(text) for text in (
        "MN=male:1&native:1", "FN=male:0&native:1", "MNN=male:1&native:0", "FNN=male:0&native:0"))
    counts = load_predictions(frame, Y, Grouping(definitions=definitions)).counts
    assert counts.groups == ("MN", "FN", "MNN", "FNN")  # definition order
    names = np.select([(frame.male == 1) & (frame.native == 1), (frame.male == 0) & (frame.native == 1),
                       (frame.male == 1) & (frame.native == 0)], ["MN", "FN", "MNN"], "FNN")
    _same(counts, count_arrays(frame.y, frame.yhat, names).select(["MN", "FN", "MNN", "FNN"]))


def test_definition_alternatives_and_unmatched_rows():
    frame = pd.DataFrame({"status": ["A91", "A92", "A93", "A94", "A95", "A92"], "y": [1, 0, 1, 1, 0, 1],
                          "yhat": [1, 1, 0, 1, 0, 0]})
    male = parse_definition("male=status:A91|A93|A94")
    loaded = load_predictions(frame, Y, Grouping(definitions=(male,)))
    assert loaded.counts.groups == ("male",) and loaded.counts.total == 3
    assert loaded.report.excluded == 3 and loaded.report.dropped == 0  # outside the groups, not missing


def test_definition_errors():
    frame = pd.DataFrame({"sex": ["m", "f"], "age": [20, 40], "y": [1, 0], "yhat": [1, 1]})
    overlapping = (parse_definition("M=sex:m"), parse_definition("young=age:20"))
    with pytest.raises(DataError, match="group definitions overlap: rows match both 'M' and 'young'"):
        load_predictions(frame, Y, Grouping(definitions=overlapping))
    with pytest.raises(DataError, match=r"group 'F' \(sex:female\) matches no rows"):
        load_predictions(frame, Y, Grouping(definitions=(parse_definition("M=sex:m"),
                                                          parse_definition("F=sex:female"))))
    for bad in ("M", "M=", "M=sex", "=sex:m", "M=sex:m&age"):
        with pytest.raises(ParameterError, match="cannot read the group definition"):
            parse_definition(bad)
    with pytest.raises(ParameterError, match="not both or neither"):
        Grouping(columns=("sex",), definitions=overlapping)
    with pytest.raises(ParameterError, match="repeat a name"):
        Grouping(definitions=(parse_definition("M=sex:m"), parse_definition("M=sex:f")))


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_definition_files(tmp_path, suffix):
    path = tmp_path / f"groups{suffix}"
    if suffix == ".toml":
        path.write_text('MN = { male = 1, native = true }\nF = { male = 0, native = [true, false] }\n')
    else:
        path.write_text(json.dumps({"MN": {"male": 1, "native": True}, "F": {"male": 0, "native": [True, False]}}))
    definitions = read_definitions(path)
    assert [str(d) for d in definitions] == ["male:1&native:true", "male:0&native:true|false"]
    frame = pd.DataFrame({"male": [1, 1, 0], "native": [True, False, False], "y": [1, 0, 1], "yhat": [1, 1, 1]})
    counts = load_predictions(frame, Y, Grouping(definitions=tuple(definitions))).counts
    assert dict(zip(counts.groups, counts.n)) == {"MN": 1, "F": 1}
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(DataError, match="expected a mapping of group names"):
        read_definitions(tmp_path / "bad.json")


def test_jsonl_ignores_stray_types_in_unused_fields(tmp_path):
    rows = [{"y": 1, "yhat": 1, "g": "a", "mask": "word"}, {"y": 0, "yhat": 1, "g": "b", "mask": True},
            {"y": 1, "yhat": 0, "g": "a", "mask": "other"}]
    path = tmp_path / "stray.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    counts = load_predictions(path, Y, BY_G).counts
    _same(counts, count_arrays([1, 0, 1], [1, 1, 0], ["a", "b", "a"]))


def test_counts_table_equals_the_rows_it_summarises(predictions, tmp_path):
    rows = load_predictions(predictions, Y, Grouping(columns=("g", "race")))
    table = predictions.groupby(["g", "race"]).apply(
        lambda part: pd.Series({"tp": ((part.y == 1) & (part.yhat == 1)).sum(),
                                "fp": ((part.y == 0) & (part.yhat == 1)).sum(),
                                "tn": ((part.y == 0) & (part.yhat == 0)).sum(),
                                "fn": ((part.y == 1) & (part.yhat == 0)).sum()}), include_groups=False).reset_index()
    # split every group's counts over two partial rows: counts for the same group add up
    halves = pd.concat([table.assign(**{c: table[c] // 2 for c in ("tp", "fp", "tn", "fn")}),
                        table.assign(**{c: table[c] - table[c] // 2 for c in ("tp", "fp", "tn", "fn")})])
    path = _write(halves, tmp_path / "counts.csv")
    counts = load_counts(path, Grouping(columns=("g", "race")))
    _same(counts.counts, rows.counts)
    assert counts.report.rows_read == len(predictions)


def test_counts_table_errors(tmp_path):
    path = tmp_path / "c.csv"
    pd.DataFrame({"g": ["a"], "tp": [1], "fp": [-2], "tn": [3], "fn": [4]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="count column 'fp' must hold whole numbers >= 0"):
        load_counts(path, BY_G)
    pd.DataFrame({"g": ["a"], "tp": [1], "fp": [2], "tn": [3]}).to_csv(path, index=False)
    with pytest.raises(ParameterError, match=r"column 'fn' not found in .*c\.csv; available: g, tp, fp, tn"):
        load_counts(path, BY_G)
    pd.DataFrame({"g": ["a"], "tp": ["x"], "fp": [2], "tn": [3], "fn": [1]}).to_parquet(tmp_path / "c.parquet")
    with pytest.raises(DataError, match="count column 'tp' must be numeric"):
        load_counts(tmp_path / "c.parquet", BY_G)


def test_text_files_with_long_rows_crlf_and_no_final_newline(tmp_path):
    long_group = "x" * 10_000  # longer than a block: the reader must wait for the end of the row
    lines = ["y,yhat,g"] + [f"{i % 2},{(i // 2) % 2},{'a' if i % 3 else long_group}" for i in range(40)]
    path = tmp_path / "odd.csv"
    path.write_bytes("\r\n".join(lines).encode())  # CRLF, and no newline after the last row
    counts = load_predictions(path, Y, BY_G, chunk_rows=1).counts
    rows = [line.split(",") for line in lines[1:]]
    expected = count_arrays([int(r[0]) for r in rows], [int(r[1]) for r in rows], [r[2] for r in rows])
    _same(counts, expected)
    assert sum(len(batch) for batch in iter_batches(path, ["g"], chunk_rows=1)) == 40
