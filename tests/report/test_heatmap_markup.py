"""The report's heatmap markup, value by value: classes, colours, geometry and escaping computed by hand."""

from __future__ import annotations

import re

import numpy as np
import pytest

from xaudit.render.colours import NEGATIVE, POSITIVE
from xaudit.report.heatmaps import bucket_css, grey_image, head_panel, pixel_heatmap, shading, token_heatmap


def blend(colour: tuple[int, int, int], strength: float) -> tuple[int, int, int]:
    return tuple(int(round(255 + (c - 255) * strength)) for c in colour)


def spans(markup: str) -> list[tuple[str, str, str, str]]:
    return re.findall(r'<span class="tok ?([a-z0-9]*)" title="([^"]*)" data-v="([^"]*)">(.*?)</span>', markup)


@pytest.mark.parametrize(("scores", "classes"), [
    ([0.5, -1.0, 0.25, 0.0], ["p4", "n8", "p2", ""]),  # signed: |s| / 1.0, ceil(8·x)
    ([0.2, 0.6, 1.0], ["", "p4", "p8"]),  # all positive: min–max, 0, 0.5, 1
    ([0.3, 0.3], ["p8", "p8"]),  # constant positive: by the peak
    ([0.0, 0.0], ["", ""]),  # nothing to shade
    ([float("nan"), 2.0, -1.0], ["", "p8", "n4"]),  # undefined scores stay white
])
def test_token_classes_are_the_hand_computed_buckets(scores, classes):
    found = spans(token_heatmap([f"t{i}" for i in range(len(scores))], scores))
    assert [c for c, *_ in found] == classes
    assert [u for *_, u in found] == [f"t{i}" for i in range(len(scores))]


def test_token_titles_and_separators():
    markup = str(token_heatmap(["a", "<b>&\"'"], [0.123456, -2.5]))
    assert markup.count("</span> <span") == 1
    (_, title_a, value_a, unit_a), (_, title_b, value_b, unit_b) = spans(markup)
    assert (title_a, value_a, title_b, value_b) == ("0.1235", "0.12", "-2.5", "-2.5")
    assert unit_b == "&lt;b&gt;&amp;&#34;&#39;"


def test_shading_values():
    assert shading(np.array([1.0, 3.0, 2.0])).tolist() == [0.0, 1.0, 0.5]
    assert shading(np.array([-2.0, 1.0])).tolist() == [-1.0, 0.5]
    assert shading(np.array([0.0, 4.0])).tolist() == [0.0, 1.0]  # low 0 counts as all positive
    assert shading(np.array([float("nan")])).tolist() == [0.0]
    assert shading(np.array([5.0])).tolist() == [1.0]
    assert shading(np.array([0.0, 0.0])).tolist() == [0.0, 0.0]


def test_bucket_css_has_every_level_in_both_colours():
    rules = dict(re.findall(r"\.([pn]\d)\{background:rgb\((\d+,\d+,\d+)\)\}", bucket_css()))
    assert len(rules) == 16 and "}." in bucket_css()
    for level in range(1, 9):
        assert rules[f"p{level}"] == ",".join(map(str, blend(POSITIVE, level / 8)))
        assert rules[f"n{level}"] == ",".join(map(str, blend(NEGATIVE, level / 8)))


def test_pixel_heatmap_squares():
    markup = str(pixel_heatmap([1.0, 0.0, 0.0, -1.0], (2, 2), size=96, label="digit <3>"))
    rects = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="rgb\(([\d,]+)\)"/>',
                       markup)
    assert rects == [("0.0", "0.0", "48.0", "48.0", "214,39,40"), ("48.0", "0.0", "48.0", "48.0", "255,255,255"),
                     ("0.0", "48.0", "48.0", "48.0", "255,255,255"), ("48.0", "48.0", "48.0", "48.0", "31,119,180")]
    assert markup.startswith('<svg class="pix" width="96" height="96" viewBox="0 0 96 96" role="img">')
    assert "<title>digit &lt;3&gt;</title>" in markup and markup.count('"/><rect') == 3
    bare = str(pixel_heatmap([1.0], (1, 1)))  # default size 96, no title
    assert bare.startswith('<svg class="pix" width="96" height="96" viewBox="0 0 96 96" role="img"><rect x="0.0"')


def test_grey_image_levels():
    markup = str(grey_image(np.array([[0.0, 1.0], [0.5, 0.25]]), size=10))
    levels = re.findall(r'fill="rgb\((\d+),(\d+),(\d+)\)"', markup)
    assert [int(r) for r, g, b in levels] == [255, 0, 128, 191] and all(r == g == b for r, g, b in levels)
    assert re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="5.0"', markup) == [
        ("0.0", "0.0"), ("5.0", "0.0"), ("0.0", "5.0"), ("5.0", "5.0")]
    assert markup.startswith('<svg class="pix" width="10" height="10"')
    assert markup.count('"/><rect') == 3
    colour = str(grey_image(np.array([[[0.0, 0.5, 1.0], [1.0, 1.0, 1.0]]])))  # channels averaged, default size 96
    assert re.findall(r'fill="rgb\((\d+),', colour) == ["128", "0"] and 'width="96"' in colour
    clipped = str(grey_image(np.array([[1.5, -0.5]]), size=2))
    assert re.findall(r'fill="rgb\((\d+),', clipped) == ["0", "255"]


def test_head_panel_geometry_colours_and_escaping():
    markup = str(head_panel(["a", "<b>"], 1, [[0.25, 0.75], [1.5, -0.2]], layer=3, cell=14))
    assert markup.startswith('<svg class="heads" width="58" height="92" viewBox="0 0 58 92" role="img">')
    assert "<title>layer 3: attention of each head from token 2</title>" in markup
    cells = re.findall(r'<rect x="(\d+)" y="(\d+)" width="14" height="14" fill="rgb\(([\d,]+)\)"><title>(.*?)</title>',
                       markup)
    assert cells == [("30", "64", ",".join(map(str, blend(POSITIVE, 0.25))), "a: 0.250"),
                     ("44", "64", ",".join(map(str, blend(POSITIVE, 0.75))), "&lt;b&gt;: 0.750"),
                     ("30", "78", "214,39,40", "a: 1.500"), ("44", "78", "255,255,255", "&lt;b&gt;: -0.200")]
    assert '<rect x="44" y="64" width="14" height="28" fill="none" stroke="#000" stroke-width="1.5"/>' in markup
    labels = re.findall(r'<text transform="translate\(([\d.]+),60\) rotate\(-60\)" class="ht"( font-weight="bold")?>'
                        r"(.*?)</text>", markup)
    assert labels == [("37.0", "", "a"), ("51.0", ' font-weight="bold"', "&lt;b&gt;")]
    assert '<text x="2" y="60" class="hl">L3</text>' in markup and "</rect><rect" in markup
    default = str(head_panel(["a", "b"], 0, [[1.0, 0.0]], layer=1))  # default cell 14: width 30 + 2·14
    assert default.startswith('<svg class="heads" width="58"')
    assert '<text x="2" y="75" class="ht">h1</text>' in markup and '<text x="2" y="89" class="ht">h2</text>' in markup
