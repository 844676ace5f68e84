"""P@k table arithmetic on constructed predictions, checked against hand-computed cells and margins."""

from __future__ import annotations

import json
from math import sqrt

import pandas as pd
import pytest

from xaudit.cloze.mozart import Annotation, ClozeData, LoadReport, Sentence
from xaudit.cloze.tables import cloze_result
from xaudit.errors import DataError

SENTENCES = (Sentence("en", "1", "a [MASK] .", "house"), Sentence("de", "1", "ein [MASK] .", "Haus"))
PREDICTIONS = {("en", "1"): ["House", "home", "car"], ("de", "1"): ["haus", "heim", "auto"]}
ANSWERS = {  # (group, language): answers
    ("MN", "en"): ["house", "Home", "car"],  # P@1 1/3, P@2 2/3; human 1/3
    ("FN", "en"): ["dog", "HOUSE"],  # P@1 1/2, P@2 1/2; human 1/2
    ("MNN", "en"): ["home"],  # P@1 0, P@2 1; human 0
    ("MN", "de"): ["Haus", "Auto"],  # P@1 1/2, P@2 1/2; human 1/2
    ("FN", "de"): ["heim", "zu Hause", "x", "haus"],  # P@1 1/4, P@2 2/4; human 1/4; one multi-word
    # MNN has no German annotations: an empty cell.
}


def data() -> ClozeData:
    annotations = [Annotation(lang, "1", answer, "house" if lang == "en" else "Haus", group)
                   for (group, lang), answers in ANSWERS.items() for answer in answers]
    annotations.append(Annotation("en", "1", "house", "house", None))  # no group: never counted
    return ClozeData(tuple(annotations), SENTENCES, LoadReport(rows={"en": 7, "de": 6}))


def pstd(*values: float) -> float:
    mean = sum(values) / len(values)
    return sqrt(sum((v - mean) ** 2 for v in values) / len(values))


@pytest.fixture
def result():
    return cloze_result(data(), PREDICTIONS, [1, 2], ["MN", "FN", "MNN"], ["en", "de"], model="test")


def test_cells_hold_hits_n_and_rate(result):
    p1, p2 = result.precision[1], result.precision[2]
    expected_p1 = {("MN", "en"): (1, 3), ("FN", "en"): (1, 2), ("MNN", "en"): (0, 1), ("MN", "de"): (1, 2),
                   ("FN", "de"): (1, 4), ("MNN", "de"): (0, 0)}
    expected_p2 = {("MN", "en"): 2, ("FN", "en"): 1, ("MNN", "en"): 1, ("MN", "de"): 1, ("FN", "de"): 2,
                   ("MNN", "de"): 0}
    for (group, language), (hits, n) in expected_p1.items():
        cell = p1.cell(group, language)
        assert (cell.hits, cell.n) == (hits, n)
        assert cell.rate == (pytest.approx(hits / n) if n else None)
        assert p2.cell(group, language).hits == expected_p2[group, language]
    assert p1.cell("FN", "de").multi_word == 1


def test_group_means_over_languages_use_the_population_std(result):
    p1 = result.precision[1]
    assert p1.group_means["MN"].mean == pytest.approx((1 / 3 + 1 / 2) / 2)
    assert p1.group_means["MN"].std == pytest.approx(1 / 12)  # |1/2 - 1/3| / 2
    assert p1.group_means["FN"].mean == pytest.approx(3 / 8)
    assert p1.group_means["FN"].std == pytest.approx(1 / 8)
    assert p1.group_means["MNN"].mean == 0.0 and p1.group_means["MNN"].std == 0.0  # the empty cell left out


def test_language_means_over_groups_use_the_population_std(result):
    p1, p2 = result.precision[1], result.precision[2]
    assert p1.language_means["en"].mean == pytest.approx((1 / 3 + 1 / 2 + 0) / 3)
    assert p1.language_means["en"].std == pytest.approx(pstd(1 / 3, 1 / 2, 0))
    assert p1.language_means["en"].std == pytest.approx(0.2078699, abs=1e-6)  # by hand, ddof=0
    assert p1.language_means["de"].mean == pytest.approx(3 / 8)
    assert p1.language_means["de"].std == pytest.approx(1 / 8)
    assert p2.language_means["en"].mean == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert p2.language_means["en"].std == pytest.approx(pstd(2 / 3, 1 / 2, 1))


def test_human_baseline_counts_reproductions_of_the_masked_word(result):
    human = result.human
    assert (human.cell("MN", "en").hits, human.cell("MN", "en").n) == (1, 3)
    assert human.cell("FN", "en").hits == 1
    assert human.cell("MNN", "en").hits == 0
    assert human.cell("MN", "de").hits == 1
    assert human.cell("FN", "de").hits == 1
    assert human.language_means["de"].mean == pytest.approx((1 / 2 + 1 / 4) / 2)


def test_json_layout(result):
    payload = json.loads(result.to_json())
    assert payload["schema_version"] == 1
    assert payload["k"] == [1, 2]
    assert payload["n_annotations"] == 12 and payload["multi_word_answers"] == 1
    cells = payload["p_at_k"]["1"]["cells"]
    assert {tuple(sorted(c)) for c in cells} == {("group", "hits", "language", "multi_word", "n", "p_at_k")}
    fn_de = next(c for c in cells if c["group"] == "FN" and c["language"] == "de")
    assert (fn_de["hits"], fn_de["n"], fn_de["p_at_k"]) == (1, 4, 0.25)
    assert next(c for c in cells if c["group"] == "MNN" and c["language"] == "de")["p_at_k"] is None
    assert payload["p_at_k"]["1"]["group_means"]["FN"] == {"mean": 0.375, "std": 0.125}
    assert set(payload["p_at_k"]["2"]["language_means"]) == {"en", "de"}
    assert "reproduced" in payload["human_baseline"]["cells"][0]
    assert payload["analysis"] == "cloze P@k per demographic group"
    assert payload["reference"].startswith("Cabello Piqueras & Søgaard (2022)")


def test_frame_rows(result):
    frame = result.to_frame()
    assert set(frame["table"]) == {"P@1", "P@2", "human_baseline"}
    cells = frame[frame["kind"] == "cell"]
    assert len(cells) == 3 * 6
    row = cells[(cells["table"] == "P@2") & (cells["group"] == "MN") & (cells["language"] == "en")].iloc[0]
    assert (row["hits"], row["n"]) == (2, 3) and row["value"] == pytest.approx(2 / 3)
    means = frame[(frame["kind"] == "language_mean") & (frame["table"] == "P@1")]
    assert means.set_index("language")["std"]["de"] == pytest.approx(1 / 8)


def test_missing_or_short_predictions_are_data_errors():
    with pytest.raises(DataError, match="no predictions for 1 of 2 sentences .*'de', s_id '1'"):
        cloze_result(data(), {("en", "1"): ["house"]}, [1], ["MN"], ["en", "de"], model="x")
    with pytest.raises(DataError, match="P@5 needs 5 predicted words"):
        cloze_result(data(), PREDICTIONS, [1, 5], ["MN"], ["en", "de"], model="x")


def test_round_trip(result):
    from xaudit.cloze.tables import ClozeResult

    back = ClozeResult.from_json(result.to_json())
    assert back == result and back.to_dict() == result.to_dict()
    assert json.loads(result.to_json())["kind"] == "cloze_fairness"


def test_every_frame_row_equals_the_tables(result):
    frame = result.to_frame()
    assert list(frame.columns) == ["kind", "model", "table", "group", "language", "hits", "n", "multi_word", "value",
                                   "std"]
    assert len(frame) == 3 * (6 + 3 + 2) and set(frame["model"]) == {"test"}
    tables = {"P@1": result.precision[1], "P@2": result.precision[2], "human_baseline": result.human}
    for row in frame.itertuples():
        table = tables[row.table]
        if row.kind == "cell":
            cell = table.cell(row.group, row.language)
            assert (row.hits, row.n, row.multi_word) == (cell.hits, cell.n, cell.multi_word) and pd.isna(row.std)
            assert row.value == pytest.approx(cell.rate) if cell.rate is not None else pd.isna(row.value)
        else:
            assert row.kind in ("group_mean", "language_mean") and pd.isna(row.hits) and pd.isna(row.multi_word)
            margin = (table.group_means[row.group] if row.kind == "group_mean" else table.language_means[row.language])
            assert pd.isna(row.language if row.kind == "group_mean" else row.group)
            assert (row.value, row.std) == pytest.approx((margin.mean, margin.std))
    fn = frame[(frame["kind"] == "group_mean") & (frame["table"] == "P@1") & (frame["group"] == "FN")].iloc[0]
    assert (fn["value"], fn["std"]) == pytest.approx((0.375, 0.125))  # by hand: (1/2 + 1/4) / 2, |1/2 - 1/4| / 2


def test_far_below_the_human_baseline_is_pooled_hits_over_annotations(result):
    # Pooled by hand: human 4/12; model P@1 4/12, P@2 7/12.
    assert result.below_human() == []
    assert result.below_human(fraction=1.0) == []  # equal is not below
    (warning,) = result.below_human(fraction=1.5)  # 4/12 < 0.5, 7/12 is not
    assert warning.startswith("pooled P@1 of test is 33.3% (4 hits in 12 annotations), under 150% of the human "
                              "baseline's 33.3%")
    assert len(result.below_human(fraction=1.8)) == 2  # 7/12 < 0.6


def test_no_human_annotations_means_no_warning():
    empty = cloze_result(data(), PREDICTIONS, [1], ["FNN"], ["en", "de"], model="x")
    assert empty.n_annotations == 0 and empty.below_human(fraction=10.0) == []
    assert empty.precision[1].group_means["FNN"].to_dict() == {"mean": None, "std": None}


def test_sentences_are_counted_in_the_chosen_languages():
    assert cloze_result(data(), PREDICTIONS, [1], ["MN"], ["en", "de"], model="x").n_sentences == 2
    assert cloze_result(data(), PREDICTIONS, [1], ["MN"], ["de"], model="x").n_sentences == 1


def test_exactly_k_predictions_suffice_and_the_first_short_sentence_is_named():
    exact = {("en", "1"): ["house", "home"], ("de", "1"): ["haus", "heim"]}
    assert cloze_result(data(), exact, [2], ["MN"], ["en", "de"], model="x").precision[2].cell("MN", "en").hits == 2
    short = {("en", "1"): ["house"], ("de", "1"): ["haus", "heim", "x"]}
    with pytest.raises(DataError, match=r"language 'en', s_id '1' has 1 \(1 sentences are short\)"):
        cloze_result(data(), short, [2], ["MN"], ["en", "de"], model="x")
    both = {("en", "1"): ["house"], ("de", "1"): []}
    with pytest.raises(DataError, match=r"language 'en', s_id '1' has 1 \(2 sentences are short\)"):
        cloze_result(data(), both, [2], ["MN"], ["en", "de"], model="x")
