"""Report heatmaps: shading relative to each example."""

from __future__ import annotations


def test_heatmap_shading_separates_saturated_flows_and_keeps_signs():
    import re

    import numpy as np

    from xaudit.report.heatmaps import shading, token_heatmap

    flows = [0.96, 0.98, 1.0]  # attention flow crowds near its maximum
    np.testing.assert_allclose(shading(np.array(flows)), [0.0, 0.5, 1.0])
    classes = re.findall(r'class="tok ?([pn]?\d*)"', str(token_heatmap(["a", "b", "c"], flows)))
    assert classes == ["", "p4", "p8"]  # lightest to darkest, not three dark tokens
    signed = re.findall(r'class="tok ?([pn]?\d*)"', str(token_heatmap(["a", "b", "c"], [-1.0, 0.5, 1.0])))
    assert signed == ["n8", "p4", "p8"]
