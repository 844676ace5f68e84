"""``Attribution``, ``Explanation`` and ``Explanations`` (what ``xaudit attribute`` writes): every field survives
the JSON round trip, text and image, with and without per-layer scores; the frame and HTML views by hand."""

from __future__ import annotations

import json
from dataclasses import fields, replace

import numpy as np
import pytest

from xaudit.attribution import Attribution
from xaudit.attribution.explain import Explanation, Explanations
from xaudit.errors import DataError


def text_attribution(method: str, **changes) -> Attribution:
    """A word-level text attribution whose every field holds a value no other field holds."""
    values = dict(units=["the", "keys", "are"], scores=np.array([0.25, -1.5, 3.0]), method=method, model="bert",
                  target=1, target_label="positive", prediction=0, prediction_label="negative", probability=0.75,
                  target_probability=0.25, params={"steps": 7}, extras={"delta": 0.125}, special=[False, True, False],
                  words=[0, 1, None], word_texts=["the", "keys"], input_id="ex-9", text="the keys are", seed=11,
                  decision_position=4, version="9.8.7")
    return Attribution(**(values | changes))


def assert_same(a: Attribution, b: Attribution) -> None:
    for f in fields(Attribution):
        left, right = getattr(a, f.name), getattr(b, f.name)
        if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
            assert isinstance(right, np.ndarray) and right.dtype == np.float64, f.name
            np.testing.assert_array_equal(left, right, err_msg=f.name)
        else:
            assert (left, type(left)) == (right, type(right)), f.name


def text_explanation() -> Explanation:
    layered = text_attribution("flow", layer=2, layer_scores=np.array([[0.5, 0.25, 0.125], [1.0, 2.0, 4.0]]),
                               scores=np.array([1.0, 2.0, 4.0]), params={}, extras={}, decision_position=0)
    return Explanation("ex-9", "the keys are", {"ig": text_attribution("ig"), "flow": layered},
                       truncated_tokens=3, true_label="positive")


def image_explanation() -> Explanation:
    pixel = text_attribution("saliency", units=["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"],
                             scores=np.array([0.5, 0.0, -0.5, 2.0]), image_shape=(2, 2), special=[False] * 4,
                             words=[], word_texts=[], input_id="img-3", text=None, decision_position=None)
    return Explanation("img-3", np.zeros((2, 2)), {"saliency": pixel})


def test_a_text_explanation_keeps_every_field():
    original = text_explanation()
    data = json.loads(json.dumps(original.to_dict()))
    assert (data["kind"], data["id"], data["input"], data["model"]) == ("explanation", "ex-9", "the keys are", "bert")
    assert data["prediction"] == {"label": "negative", "index": 0, "probability": 0.75}
    assert data["target"] == {"label": "positive", "index": 1, "probability": 0.25}
    assert data["tokens"] == ["the", "keys", "are"] and "units" not in data and data["image_shape"] is None
    assert data["scores"] == {"ig": [0.25, -1.5, 3.0], "flow": [1.0, 2.0, 4.0]}
    assert data["layer"] == {"flow": 2} and data["layer_scores"] == {"flow": [[0.5, 0.25, 0.125], [1.0, 2.0, 4.0]]}
    assert data["params"] == {"ig": {"steps": 7}, "flow": {}} and data["extras"] == {"ig": {"delta": 0.125}}
    assert data["decision_position"] == {"ig": 4, "flow": 0}
    assert (data["truncated_tokens"], data["true_label"], data["seed"], data["version"]) == (3, "positive", 11, "9.8.7")
    back = Explanation.from_dict(data)
    assert (back.input_id, back.input, back.truncated_tokens, back.true_label) == ("ex-9", "the keys are", 3, "positive")
    assert list(back.attributions) == ["ig", "flow"]
    for name, attribution in original.attributions.items():
        assert_same(attribution, back.attributions[name])


def test_an_image_explanation_keeps_its_shape_and_names_its_input_by_id():
    original = image_explanation()
    data = json.loads(json.dumps(original.to_dict()))
    assert data["units"] == ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"] and "tokens" not in data
    assert (data["input"], data["image_shape"], data["layer"], data["layer_scores"]) == ("img-3", [2, 2], {}, {})
    back = Explanation.from_dict(data)
    assert_same(original.attributions["saliency"], back.attributions["saliency"])
    assert back.attributions["saliency"].image_shape == (2, 2) and back.attributions["saliency"].text is None


def test_a_document_without_decision_positions_reads_as_none():
    data = text_explanation().to_dict()
    del data["decision_position"]
    back = Explanation.from_dict(data)
    assert [a.decision_position for a in back.attributions.values()] == [None, None]


def test_explanations_round_trip_in_order_and_refuse_other_kinds():
    original = Explanations("bert", [text_explanation(), image_explanation()])
    data = json.loads(original.to_json())
    assert (data["kind"], data["model"], [e["id"] for e in data["examples"]]) == ("explanations", "bert",
                                                                                 ["ex-9", "img-3"])
    back = Explanations.from_json(original.to_json())
    assert back.model == "bert" and [e.input_id for e in back.examples] == ["ex-9", "img-3"]
    for before, after in zip(original.examples, back.examples):
        for name in before.attributions:
            assert_same(before.attributions[name], after.attributions[name])
    with pytest.raises(DataError, match="kind 'explanations'"):
        Explanations.from_dict(text_explanation().to_dict())


def test_the_frame_has_a_row_per_unit_method_and_input():
    frame = Explanations("bert", [text_explanation(), image_explanation()]).to_frame()
    assert len(frame) == 3 + 3 + 4 and list(frame.index) == list(range(10))
    assert list(frame["method"]) == ["ig"] * 3 + ["flow"] * 3 + ["saliency"] * 4
    assert list(frame["input_id"]) == ["ex-9"] * 6 + ["img-3"] * 4
    assert list(frame["score"]) == [0.25, -1.5, 3.0, 1.0, 2.0, 4.0, 0.5, 0.0, -0.5, 2.0]
    assert list(frame["L2"][3:6]) == [1.0, 2.0, 4.0] and frame["L2"][:3].isna().all()


@pytest.mark.parametrize("case", ["plain", "layered", "image"])
def test_an_attribution_keeps_every_field(case):
    original = {"plain": text_attribution("ig"),
                "layered": text_attribution("rollout", layer=1, layer_scores=np.array([[1.0, 0.5, 0.0], [2.0, 3.0, 4.0]])),
                "image": image_explanation().attributions["saliency"]}[case]
    data = json.loads(original.to_json())
    assert (data["schema_version"], data["kind"]) == (1, "attribution") and data["xaudit_version"]
    assert data["scores"] == original.scores.tolist() and data["version"] == "9.8.7"
    assert data["layer_scores"] == (None if original.layer_scores is None else original.layer_scores.tolist())
    assert data["image_shape"] == (None if case != "image" else [2, 2])
    back = Attribution.from_dict(data)
    assert_same(original, back)
    assert data == json.loads(original.to_json())  # reading does not change the document it was given


def test_the_attribution_frame_by_hand():
    plain = text_attribution("ig", input_id="ex-1", model="lstm").to_frame()
    assert list(plain.columns) == ["kind", "model", "input_id", "method", "position", "unit", "score"]
    assert plain.to_dict("list") == {"kind": ["attribution"] * 3, "model": ["lstm"] * 3, "input_id": ["ex-1"] * 3,
                                     "method": ["ig"] * 3, "position": [0, 1, 2], "unit": ["the", "keys", "are"],
                                     "score": [0.25, -1.5, 3.0]}
    layered = text_attribution("flow", layer_scores=np.array([[1.0, 0.5, 0.0], [2.0, 3.0, 4.0]])).to_frame()
    assert list(layered.columns)[-2:] == ["L1", "L2"]
    assert list(layered["L1"]) == [1.0, 0.5, 0.0] and list(layered["L2"]) == [2.0, 3.0, 4.0]


def test_the_notebook_view_by_hand():
    a = text_attribution("ig", units=["<b>", "ok", "x"], scores=np.array([2.0, -1.0, 0.0]), model="m&m",
                         prediction_label="neg", target_label="pos<", probability=0.5)
    assert a._repr_html_() == (
        '<div><div>ig on m&amp;m: predicted neg (0.500), explaining pos&lt;</div><div>'
        '<span style="background: rgba(220,50,47,1.00); padding: 1px 3px" title="2">&lt;b&gt;</span> '
        '<span style="background: rgba(38,139,210,0.50); padding: 1px 3px" title="-1">ok</span> '
        '<span style="background: rgba(220,50,47,0.00); padding: 1px 3px" title="0">x</span></div></div>')
    zeros = text_attribution("ig", units=["a"], scores=np.array([0.0]))._repr_html_()
    assert "rgba(220,50,47,0.00)" in zeros  # an all-zero row does not divide by zero


def test_integer_scores_and_a_missing_version_field_still_read():
    """A document written by hand or by another tool: whole-number scores come back as float64, and the
    envelope's ``xaudit_version`` may be absent."""
    data = json.loads(text_attribution("flow", layer_scores=np.array([[1.0, 0.0, 2.0]])).to_json())
    data["scores"], data["layer_scores"] = [1, 0, 2], [[1, 0, 2]]
    del data["xaudit_version"]
    back = Attribution.from_dict(data)
    assert back.scores.dtype == np.float64 and back.layer_scores.dtype == np.float64
    assert back.scores.tolist() == [1.0, 0.0, 2.0] and back.layer_scores.tolist() == [[1.0, 0.0, 2.0]]


def test_subword_scores_and_every_layers_scores_are_summed_into_words_by_hand():
    tokens = text_attribution("rollout", units=["[CLS]", "key", "##s", "cab", "[SEP]"],
                              scores=np.array([9.0, 1.0, 2.0, 4.0, 8.0]), special=[True, False, False, False, True],
                              words=[None, 0, 0, 1, None], word_texts=["keys", "cab"], layer=2,
                              layer_scores=np.array([[9.0, 0.5, 0.25, 3.0, 8.0], [9.0, 1.0, 2.0, 4.0, 8.0],
                                                     [7.0, 0.0, 1.0, 0.5, 7.0]]))  # 3 layers, 2 words: not square
    words = tokens.to_words()
    assert (words.units, words.special, words.words) == (["keys", "cab"], [False, False], [0, 1])
    assert words.scores.tolist() == [3.0, 4.0] and words.layer_scores.tolist() == [[0.75, 3.0], [3.0, 4.0], [1.0, 0.5]]
    assert (words.method, words.target, words.layer, words.text) == ("rollout", 1, 2, "the keys are")
    assert words.to_words().scores.tolist() == [3.0, 4.0]  # already words: unchanged
    for unpooled in (replace(tokens, words=[]), replace(tokens, word_texts=[])):  # nothing to pool by
        assert unpooled.to_words() is unpooled


def test_an_explanation_document_with_integer_scores_and_no_params_for_a_method_reads():
    data = json.loads(json.dumps(text_explanation().to_dict()))
    data["scores"]["ig"], data["layer_scores"]["flow"] = [1, 0, 2], [[1, 0, 2], [0, 0, 1]]
    del data["params"]["flow"]
    back = Explanation.from_dict(data)
    assert back.attributions["ig"].scores.dtype == np.float64 and back.attributions["ig"].scores.tolist() == [1, 0, 2]
    assert back.attributions["flow"].layer_scores.dtype == np.float64 and back.attributions["flow"].params == {}
