"""The tabular adapter: encoding, input errors, and attributions per column against independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from tests.tabular_synthetic import flat_by_hand, sample_rows, synthetic_frame
from xaudit.attribution import get_method
from xaudit.errors import DataError, ParameterError
from xaudit.models.feature_schema import FeatureSchema
from xaudit.models.tabular import TabularAdapter


@pytest.fixture
def adapter(tiny_adapters) -> TabularAdapter:
    return tiny_adapters["credit"]


def column_sums(values: np.ndarray, schema: FeatureSchema) -> np.ndarray:
    """Sum a flat per-feature vector over each column's parts."""
    edges = np.cumsum([0] + [c.width for c in schema.columns])
    return np.array([values[..., a:b].sum(axis=-1) for a, b in zip(edges[:-1], edges[1:])]).T


def test_schema_statistics_and_encoding(adapter):
    frame = synthetic_frame()
    schema = adapter.schema
    age = schema.columns[schema.names.index("age")]
    assert age.mean == pytest.approx(frame["age"].mean()) and age.std == pytest.approx(frame["age"].std(ddof=0))
    assert age.typical == frame["age"].median()
    status = schema.columns[schema.names.index("status")]
    assert status.categories == tuple(sorted(frame["status"].unique()))
    assert status.typical == frame["status"].mode().iloc[0]
    rows = synthetic_frame(5, seed=2)
    encoded = adapter.flat(adapter.embed(adapter.encode(rows))).numpy()
    np.testing.assert_allclose(encoded, flat_by_hand(schema, rows), rtol=1e-6, atol=1e-6)
    assert FeatureSchema.from_dict(schema.to_dict()) == schema


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.drop(columns="status"), "column 'status' that the model reads is missing"),
    (lambda f: f.assign(status=["A11", "A13", "A12"]), "column 'status', row 1: unseen category 'A13'"),
    (lambda f: f.assign(age=["30", "40", "forty"]), "column 'age', row 2: 'forty' is not a number"),
    (lambda f: f.assign(sex=["male", None, "female"]), "column 'sex', row 1: missing value"),
])
def test_bad_rows_name_the_column_and_row(adapter, change, message):
    with pytest.raises(DataError, match=message):
        adapter.encode(change(synthetic_frame(3)))


def test_rows_counted_from_the_first_row_given(adapter):
    with pytest.raises(DataError, match="row 101: unseen category"):
        adapter.encode(synthetic_frame(3).assign(sex=["male", "other", "male"]), first_row=100)


def test_baselines(adapter):
    batch = adapter.encode(sample_rows(2))
    typical = adapter.flat(adapter.baseline(batch)).numpy()
    np.testing.assert_allclose(typical, flat_by_hand(adapter.schema, adapter.schema.typical_frame()).repeat(2, 0),
                               atol=1e-6)
    assert torch.equal(adapter.baseline(batch, "zero"), torch.zeros_like(adapter.embed(batch)))
    with pytest.raises(ParameterError, match="unknown baseline 'unk' for a tabular model; choose one of: typical, "
                                             "zero"):
        adapter.baseline(batch, "unk")


def _flat_gradient(adapter, batch, target):
    """∂f_t/∂x over the encoded vector, straight from the network (not through the adapter)."""
    x = adapter.flat(adapter.embed(batch)).requires_grad_(True)
    (gradient,) = torch.autograd.grad(adapter.model.eval()(x)[:, target].sum(), x)
    return x.detach().numpy(), gradient.numpy()


def test_saliency_and_taylor_are_one_hot_parts_summed(adapter):
    batch = adapter.encode(sample_rows(3))
    x, gradient = _flat_gradient(adapter, batch, 1)
    b = adapter.flat(adapter.baseline(batch)).numpy()
    saliency = get_method("saliency").attribute(adapter, batch, target=1)
    taylor = get_method("taylor").attribute(adapter, batch, target=1)
    for row in range(3):
        np.testing.assert_allclose(saliency[row].scores, column_sums(np.abs(gradient[row]), adapter.schema), rtol=1e-5)
        np.testing.assert_allclose(taylor[row].scores, column_sums((x[row] - b[row]) * gradient[row], adapter.schema),
                                   rtol=1e-5, atol=1e-7)
        assert saliency[row].units == adapter.schema.names


def test_integrated_gradients_equal_captum_on_the_flat_vector(adapter):
    from captum.attr import IntegratedGradients

    batch = adapter.encode(sample_rows(3))
    x, b = adapter.flat(adapter.embed(batch)), adapter.flat(adapter.baseline(batch))
    expected = IntegratedGradients(adapter.model.eval()).attribute(x, baselines=b, target=1, n_steps=40,
                                                                   method="gausslegendre")
    results = get_method("ig", n_steps=40).attribute(adapter, batch, target=1)
    for row, result in enumerate(results):
        np.testing.assert_allclose(result.scores, column_sums(expected[row].detach().numpy(), adapter.schema),
                                   rtol=1e-4, atol=1e-6)


def test_blankout_replaces_one_column_by_its_typical_value(adapter):
    rows = synthetic_frame(3, seed=5)
    results = get_method("blankout").attribute(adapter, adapter.encode(rows), target=1)
    for row, result in enumerate(results):
        full = float(adapter.predict_proba(adapter.encode(rows.iloc[[row]]))[0, 1])
        for position, column in enumerate(adapter.schema.names):
            changed = rows.iloc[[row]].copy()
            changed[column] = [adapter.schema.columns[position].typical]
            expected = full - float(adapter.predict_proba(adapter.encode(changed))[0, 1])
            assert result.scores[position] == pytest.approx(expected, abs=1e-6)


class QuadraticOnFeatures(nn.Module):
    """logit_0 = xᵀQx + cᵀx over the encoded vector; logit_1 = 0."""

    def __init__(self, width: int):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.Q = nn.Parameter(torch.randn(width, width, generator=generator, dtype=torch.float64))
        self.c = nn.Parameter(torch.randn(width, generator=generator, dtype=torch.float64))

    def forward(self, x):
        value = torch.einsum("bi,ij,bj->b", x, self.Q, x) + x @ self.c
        return torch.stack([value, torch.zeros_like(value)], dim=1)


def test_second_order_taylor_is_exact_on_a_quadratic(adapter):
    schema = adapter.schema
    quadratic = TabularAdapter(QuadraticOnFeatures(schema.n_features), schema, ["q", "zero"], "quadratic")
    batch = quadratic.encode(sample_rows(3))
    second = get_method("taylor", order=2).attribute(quadratic, batch, target=0)
    for result in second:
        assert abs(result.extras["remainder"]) < 1e-9 * max(1.0, abs(result.extras["f_x_minus_f_b"]))
    first = get_method("taylor", order=1).attribute(quadratic, batch, target=0)
    assert max(abs(r.extras["remainder"]) for r in first) > 1e-3


def test_rows_as_mappings_or_frame_agree_and_other_inputs_are_refused(adapter):
    rows = sample_rows(3)
    torch.testing.assert_close(adapter.forward(adapter.encode(rows)),
                               adapter.forward(adapter.encode(pd.DataFrame(rows))))
    with pytest.raises(DataError, match="input 0 is a str; a tabular model takes rows"):
        adapter.encode(["a text"])
    with pytest.raises(DataError, match="no input rows"):
        adapter.encode([])
