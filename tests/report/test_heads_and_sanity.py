"""The explanation section's per-head attention panels and its sanity-check column."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from xaudit.models import load_model

HOSTILE = ["[CLS]", "<script>alert(1)</script>", "\"'&", "[SEP]"]


@pytest.mark.parametrize("name, text", [("bert", "the keys to the cabinet"), ("mlm", "the keys to the cabinet [MASK] here")])
def test_head_attention_is_the_models_own_attention_at_the_decision_position(name, text):
    from xaudit.report.explanations import head_attention

    adapter = load_model(name)
    heads = head_attention(adapter, text)
    encoded = adapter.tokenizer(text, return_tensors="pt")
    ids = encoded["input_ids"][0].tolist()
    decision = ids.index(adapter.tokenizer.mask_token_id) if name == "mlm" else 0
    with torch.no_grad():
        attentions = adapter.model(**encoded, output_attentions=True).attentions
    expected = np.stack([layer[0, :, decision, :].numpy() for layer in attentions])
    assert heads.position == decision
    assert heads.tokens == adapter.tokenizer.convert_ids_to_tokens(ids)
    assert np.asarray(heads.weights).shape == expected.shape
    np.testing.assert_allclose(heads.weights, expected, atol=6e-5)
    assert not np.allclose(expected, expected[:, :1, :])  # heads differ: the panel is not one head repeated


def test_head_panel_escapes_tokens_shades_on_a_fixed_scale_and_outlines_the_decision_position():
    from xaudit.render.colours import score_rgb
    from xaudit.report.heatmaps import head_panel

    weights = [[1.0, 0.0, 0.5, 0.0], [0.25, 0.25, 0.25, 0.25]]
    svg = str(head_panel(HOSTILE, 2, weights, layer=3))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "\"'&" not in svg
    fills = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="\d+" height="\d+" fill="rgb\((\d+),(\d+),(\d+)\)"', svg)
    assert len(fills) == 8
    shades = [tuple(map(int, f)) for f in fills]
    assert shades[0] == score_rgb(1.0, 1.0) and shades[1] == score_rgb(0.0, 1.0) == (255, 255, 255)
    assert shades[4] == shades[5] == score_rgb(0.25, 1.0)  # absolute scale, not rescaled per head
    outline = re.search(r'<rect x="(\d+)" y="\d+" width="14" height="(\d+)" fill="none"', svg)
    assert outline and int(outline.group(1)) == 30 + 2 * 14 and int(outline.group(2)) == 2 * 14
    assert ">L3<" in svg


def test_sanity_column_shows_the_fully_randomised_step_and_its_verdict():
    from xaudit.evaluation.sanity import THRESHOLD
    from xaudit.report.explanations import SANITY_EXAMPLES, section
    from xaudit.report.render import _quality_view

    adapter = load_model("bert")
    texts = ["the keys to the cabinet are here", "the author that the senators admire writes",
             "my dog near the houses sleeps", "the doors of the church are old"] * 5
    built = section(adapter, "test", texts[:2], ["a", "b"], [None, None], ["saliency", "rollout"], texts,
                    [0, 1, 1, 0] * 5, seed=0)
    quality = built.quality
    assert quality.settings["sanity_examples"] == min(SANITY_EXAMPLES, len(texts))
    view = _quality_view(quality, {"rollout": adapter.attention_layers})
    assert view["columns"][-1].startswith("sanity")
    for method, row in zip(quality.methods, view["rows"]):
        last = max((s for s in quality.sanity if s.method == method), key=lambda s: s.k)
        assert last.randomised == "embeddings" or last.k == len({s.k for s in quality.sanity})
        verdict = "passes" if last.mean < THRESHOLD else "fails"
        head = next(s for s in quality.sanity if s.method == method and s.k == 1)
        blind = "; unchanged with the head random" if head.mean >= 0.99 else ""
        assert row[-1] == f"{last.text()} {verdict}{blind}"
        assert bool(blind) == (method == "rollout")  # rollout never reads the classifier head; saliency does
    # trained saliency on the shipped bert depends on the weights: fully randomised, it no longer agrees
    saliency = max((s for s in quality.sanity if s.method == "saliency"), key=lambda s: s.k)
    assert saliency.mean < THRESHOLD
    assert built.heads is not None and built.heads.tokens[0] == "[CLS]"
    assert type(built).from_dict(built.to_dict()).heads == built.heads
