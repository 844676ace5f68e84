"""Data embedded in the report's HTML: valid JSON of the same value that cannot close its script element."""

from __future__ import annotations

import json

import pytest

from xaudit.report.embed import EMBED_NOTE, embedded_view, script_json


def test_script_json_is_compact_escaped_json_of_the_same_value():
    data = {"group": "</script><!--é&\u2028", "values": [1, 2.5]}
    text = script_json(data)
    assert text == '{"group":"\\u003c/script\\u003e\\u003c!--é\\u0026\\u2028","values":[1,2.5]}'
    assert json.loads(text) == data
    assert not set("<>&\u2028\u2029") & set(text)


def test_script_json_refuses_nan():
    with pytest.raises(ValueError):
        script_json({"rate": float("nan")})


def test_embedded_view_rounds_drops_layer_scores_and_says_so():
    report = {"model": "bert", "rates": [0.123456789, 1e-9 / 3], "nested": {"x": 2.0000004},
              "explanations": [{"examples": [{"scores": [0.5], "layer_scores": [[0.1]]}, {"scores": [1.0]}]},
                               {"examples": None}]}
    view = embedded_view(report)
    assert view["embedded_note"] == EMBED_NOTE and list(view)[0] == "embedded_note"
    assert view["rates"] == [0.123457, 3.33333e-10] and view["nested"] == {"x": 2.0}
    assert view["explanations"][0]["examples"] == [{"scores": [0.5]}, {"scores": [1.0]}]
    assert report["explanations"][0]["examples"][0]["layer_scores"] == [[0.1]]  # the report itself is kept whole
    assert view["model"] == "bert"
