"""The MozArt loader: each documented quirk on synthetic rows, then the real files."""

from __future__ import annotations

import math

import pytest

from xaudit.cloze.mozart import load_mozart, normalize_word
from xaudit.errors import DataError

from .synthetic import row, write_mozart

NAN = math.nan


def load_rows(tmp_path, *rows, language="en"):
    return load_mozart(write_mozart(tmp_path / "mozart", {language: list(rows)}), [language])


def test_boolean_answer_becomes_text_and_is_noted(tmp_path):
    data = load_rows(tmp_path, row(mask=True, s_id="174676"), row(mask=False, u_id="u2"))
    assert [a.answer for a in data.annotations] == ["true", "false"]
    assert data.report.notes["answer stored as a JSON boolean"] == 2


def test_whitespace_is_stripped_and_noted(tmp_path):
    data = load_rows(tmp_path, row(mask="sat "), row(mask="  lay\t", u_id="u2"), row(mask="sits", u_id="u3"))
    assert [a.answer for a in data.annotations] == ["sat", "lay", "sits"]
    assert data.report.notes["answer with surrounding whitespace"] == 2


def test_multi_word_answers_are_kept_and_counted(tmp_path):
    data = load_rows(tmp_path, row(mask="por eso"), row(mask="trata de ", u_id="u2"), row(u_id="u3"))
    assert [a.multi_word for a in data.annotations] == [True, True, False]
    assert data.report.notes["multi-word answer"] == 2


def test_capitals_are_kept_noted_and_casefolded_for_matching(tmp_path):
    data = load_rows(tmp_path, row(mask="Weise"), row(mask="STRASSE", u_id="u2"), row(u_id="u3"))
    assert [a.answer for a in data.annotations][:2] == ["Weise", "STRASSE"]
    assert data.report.notes["answer with capitals"] == 2
    assert normalize_word("Weise") == "weise"
    assert normalize_word("Straße") == normalize_word("STRASSE")


def test_normalisation_is_nfc_stripped_casefolded_whole_word():
    assert normalize_word("e\u0301te\u0301 ") == normalize_word("été") == "été"
    assert normalize_word("  Por   Eso ") == "por eso"
    assert normalize_word("sat") != normalize_word("sa")


@pytest.mark.parametrize(
    ("flags", "group"),
    [
        (dict(male=1, female=0, native=1, nonnative=0), "MN"),
        (dict(male=0, female=1, native=1, nonnative=0), "FN"),
        (dict(male=1, female=0, native=0, nonnative=1), "MNN"),
        (dict(male=0, female=1, native=0, nonnative=1), "FNN"),
        (dict(male=None, female=0, native=1.0, nonnative=NAN), "MN"),  # one valid flag decides
        (dict(male=True, female=False, native=None, nonnative=1), "MNN"),
    ],
)
def test_groups_from_gender_and_nativeness(tmp_path, flags, group):
    data = load_rows(tmp_path, row(**flags))
    assert data.annotations[0].group == group
    assert not data.report.ungrouped


@pytest.mark.parametrize(
    ("flags", "reason"),
    [
        (dict(male=None, female=None), "gender missing"),
        (dict(male=NAN, female=NAN), "gender missing"),
        (dict(male="yes", female=None), "gender missing"),
        (dict(male=1, female=1), "gender contradictory"),
        (dict(native=None, nonnative=NAN), "nativeness missing"),
        (dict(native=0, nonnative=0), "nativeness contradictory"),
    ],
)
def test_undecidable_demographics_leave_the_row_out_of_groups(tmp_path, flags, reason):
    data = load_rows(tmp_path, row(**flags), row(u_id="u2"))
    assert [a.group for a in data.annotations] == [None, "MN"]
    assert data.report.ungrouped == {reason: 1}
    assert len(data.sentences) == 1  # the sentence is still predicted


def test_fluent_languages_and_age_quirks_are_noted(tmp_path):
    data = load_rows(tmp_path, row(fluent_languages=None), row(fluent_languages=NAN, u_id="u2"),
                     row(fluent_languages="English", age=None, u_id="u3"))
    assert len(data.annotations) == 3
    assert data.report.notes["fluent_languages null"] == 1
    assert data.report.notes["fluent_languages NaN"] == 1
    assert data.report.notes["age null"] == 1


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (dict(mask=None), "answer missing or blank"),
        (dict(mask=NAN), "answer missing or blank"),
        (dict(mask="  "), "answer missing or blank"),
        (dict(text="no placeholder here"), "text without exactly one [MASK]"),
        (dict(text="[MASK] and [MASK]"), "text without exactly one [MASK]"),
        (dict(s_id=None), "s_id missing"),
        (dict(true_mask=None), "true_mask missing"),
        (dict(text="the dog [MASK] on the mat ."), "text or true_mask differs from the first row of its s_id"),
    ],
)
def test_unusable_rows_are_dropped_with_a_reason(tmp_path, bad, reason):
    data = load_rows(tmp_path, row(), row(u_id="u2", **bad))
    assert len(data.annotations) == 1
    assert data.report.dropped == {reason: 1}
    assert data.report.rows == {"en": 2}


def test_sentences_are_unique_per_language_and_s_id(tmp_path):
    folder = write_mozart(tmp_path / "m", {
        "en": [row(), row(u_id="u2"), row(s_id="2", text="a [MASK] .", true_mask="b")],
        "de": [row(text="die Katze [MASK] .")],
    })
    data = load_mozart(folder, ["en", "de"])
    assert [s.key for s in data.sentences] == [("en", "1"), ("en", "2"), ("de", "1")]


def test_broken_files_are_data_errors(tmp_path):
    with pytest.raises(DataError, match="MozArt folder not found"):
        load_mozart(tmp_path / "nowhere")
    folder = write_mozart(tmp_path / "m", {"en": [row()]})
    with pytest.raises(DataError, match="MozArt file for language 'de' not found"):
        load_mozart(folder, ["en", "de"])
    (folder / "en_data_with_annotations.jsonl").write_text('{"s_id": "1"}\n{broken\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"en_data_with_annotations\.jsonl:2: not valid JSON"):
        load_mozart(folder, ["en"])
    (folder / "en_data_with_annotations.jsonl").write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(DataError, match=":1: expected a JSON object"):
        load_mozart(folder, ["en"])
    (folder / "en_data_with_annotations.jsonl").write_text('{"s_id": "1", "mask": "x"}\n', encoding="utf-8")
    with pytest.raises(DataError, match="no usable MozArt rows"):
        load_mozart(folder, ["en"])


@pytest.mark.data
def test_the_real_files(data_dir):
    data = load_mozart(data_dir / "mozart")
    report = data.report
    assert sum(report.rows.values()) == len(data.annotations) == 2420
    assert len(data.sentences) == 400
    assert not report.dropped and not report.ungrouped
    assert report.notes["answer stored as a JSON boolean"] == 1
    multi = {lang: sum(a.multi_word for a in data.annotations if a.language == lang) for lang in ("en", "es", "de", "fr")}
    assert multi == {"en": 0, "es": 12, "de": 20, "fr": 22}
    sizes = {(a.language, a.group) for a in data.annotations}
    assert len(sizes) == 16
    assert sum(a.language == "es" and a.group == "MNN" for a in data.annotations) == 170
    assert sum(a.language == "de" and a.group == "FNN" for a in data.annotations) == 160
