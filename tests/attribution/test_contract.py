"""Every registered method on every reference model kind it supports (shared contract)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from xaudit.attribution import METHODS, get_method
from xaudit.datasets import digits
from xaudit.errors import ModelError
from tests.tabular_synthetic import sample_rows

KINDS = ["bert", "lstm", "cnn", "vit", "credit"]
TEXTS = ["the keys to the old cabinet", "my dog", "the author that the senators admire near our city"]


def inputs_for(adapter):
    if adapter.modality == "tabular":
        return sample_rows(3)
    return TEXTS if adapter.modality == "text" else list(digits.splits(0).test.images[:3])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method_name", sorted(METHODS))
def test_method_contract(tiny_adapters, kind, method_name):
    adapter = tiny_adapters[kind]
    method = get_method(method_name)
    batch = adapter.encode(inputs_for(adapter))
    reason = method.why_not(adapter)
    if reason is not None:
        assert f"method '{method_name}'" in reason and adapter.kind in reason
        with pytest.raises(ModelError, match=re.escape(reason)):
            method.attribute(adapter, batch)
        return
    first = method.attribute(adapter, batch, seed=3)
    again = method.attribute(adapter, batch, seed=3)
    assert len(first) == len(batch)
    for row, (a, b) in enumerate(zip(first, again)):
        assert a.scores.shape == (len(batch.units[row]),)
        assert np.isfinite(a.scores).all()
        np.testing.assert_array_equal(a.scores, b.scores)  # deterministic for a seed
        assert a.method == method_name and a.model == kind
        if method.layered:
            assert a.layer_scores.shape[1] == len(batch.units[row]) and a.layer == a.layer_scores.shape[0]


SUMMARIES = {name: SimpleNamespace(name=name, kind=kind, has_attentions=kind == "transformer") for name, kind in
             {"bert": "transformer", "lstm": "recurrent", "cnn": "conv", "credit": "mlp"}.items()}
BATCH_PAIRS = [("bert", m) for m in sorted(METHODS) if METHODS[m].why_not(SUMMARIES["bert"]) is None] + [
    (kind, m) for kind in ("lstm", "credit") for m in sorted(METHODS) if METHODS[m].why_not(SUMMARIES[kind]) is None
] + [("cnn", m) for m in sorted(METHODS) if METHODS[m].kinds is not None and "conv" in METHODS[m].kinds]


@pytest.mark.parametrize(("kind", "method_name"), BATCH_PAIRS)
def test_batch_equals_one_by_one(tiny_adapters, kind, method_name):
    adapter = tiny_adapters[kind]
    method = get_method(method_name)
    inputs = inputs_for(adapter)
    together = method.attribute(adapter, adapter.encode(inputs))
    for text, batched in zip(inputs, together):
        (alone,) = method.attribute(adapter, adapter.encode([text]))
        scale = max(1e-6, float(np.abs(alone.scores).max()))
        np.testing.assert_allclose(batched.scores, alone.scores, atol=1e-4 * scale + 1e-7, rtol=1e-3)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method_name", sorted(m for m in METHODS if METHODS[m].finds_prediction))
def test_predicted_class_found_in_the_scoring_pass_equals_an_explicit_target(tiny_adapters, kind, method_name):
    adapter = tiny_adapters[kind]
    batch = adapter.encode(inputs_for(adapter))
    with torch.no_grad():
        probabilities = torch.softmax(adapter.forward(batch).double(), dim=-1)
    found = get_method(method_name).attribute(adapter, batch)  # one pass finds the prediction
    given = get_method(method_name).attribute(adapter, batch, target=probabilities.argmax(-1).tolist())
    for row, (a, b) in enumerate(zip(found, given)):
        assert a.prediction == b.prediction == a.target == int(probabilities[row].argmax())
        assert a.probability == pytest.approx(float(probabilities[row].max()), rel=1e-6)
        np.testing.assert_allclose(a.scores, b.scores, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("kind", "expected"), [("bert", "unk"), ("lstm", "unk"), ("cnn", "black"),
                                               ("credit", "typical")])
def test_the_baseline_used_is_recorded(tiny_adapters, kind, expected):
    adapter = tiny_adapters[kind]
    batch = adapter.encode(inputs_for(adapter)[:1])
    for name in ("taylor", "ig"):
        (default,) = get_method(name).attribute(adapter, batch)
        assert default.params["baseline"] == expected
    (given,) = get_method("taylor", baseline="zero").attribute(adapter, batch)
    assert given.params["baseline"] == "zero"


def test_target_by_label_and_index(tiny_adapters):
    adapter = tiny_adapters["bert"]
    batch = adapter.encode(TEXTS[:2])
    by_label = get_method("saliency").attribute(adapter, batch, target="singular")
    by_index = get_method("saliency").attribute(adapter, batch, target=0)
    assert [a.target for a in by_label] == [0, 0]
    np.testing.assert_array_equal(by_label[0].scores, by_index[0].scores)
    per_example = get_method("saliency").attribute(adapter, batch, target=[0, 1])
    assert [a.target_label for a in per_example] == ["singular", "plural"]


def test_layer_choice(tiny_adapters):
    from xaudit.errors import ParameterError

    adapter = tiny_adapters["bert"]
    batch = adapter.encode(TEXTS[:1])
    (first_layer,) = get_method("rollout").attribute(adapter, batch, layer=1)
    np.testing.assert_array_equal(first_layer.scores, first_layer.layer_scores[0])
    with pytest.raises(ParameterError, match="'layer' parameter must be an int >= 1 and <= 2"):
        get_method("flow").attribute(adapter, batch, layer=3)


def test_unknown_method_lists_the_registered_ones():
    from xaudit.errors import ParameterError

    listed = ", ".join(sorted(METHODS))
    assert "flow" in listed and "saliency" in listed
    with pytest.raises(ParameterError, match=re.escape(f"unknown method 'flw'; choose one of: {listed}")):
        get_method("flw")


@pytest.mark.parametrize("method_name", sorted(METHODS))
def test_method_describes_itself(method_name):
    method = METHODS[method_name]
    assert method.name == method_name
    for text in (method.title, method.definition, method.citation):
        assert isinstance(text, str) and len(text) > 5
    instance = method()
    assert set(instance.params) == {p.name for p in method.parameters}  # defaults filled in and recorded


def _invalid_values(param):
    """Values that break a declaration (cf. scikit-learn's generate_invalid_param_val)."""
    if param.choices:
        return [max(param.choices) + 1 if param.kind is int else "no-such-choice"]
    bad = ["text"] if param.kind in (int, float) else [3]
    if param.minimum is not None:
        bad.append(param.kind(param.minimum) - 1)
    return bad + ([] if param.optional else [None])


@pytest.mark.parametrize("method_name,param", [(m, p) for m in sorted(METHODS) for p in METHODS[m].parameters],
                         ids=lambda v: getattr(v, "name", v))
def test_declared_parameters_are_checked(method_name, param):
    from xaudit.errors import ParameterError

    for value in _invalid_values(param):
        with pytest.raises(ParameterError, match=f"'{param.name}'"):
            get_method(method_name, **{param.name: value})
    assert get_method(method_name, **{param.name: param.default}).params[param.name] == param.default


def test_unknown_parameter_names_the_method_and_its_parameters():
    from xaudit.errors import ParameterError

    with pytest.raises(ParameterError, match="method 'taylor' has no parameter 'steps'; its parameters: baseline, "
                                             "order"):
        get_method("taylor", steps=3)


def test_registry_loads_without_torch():
    """The CLI builds its options from the registry, so --help must not pay for torch and captum."""
    import subprocess
    import sys

    code = "import sys, xaudit.attribution.registry; print('torch' in sys.modules, 'captum' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split() == ["False", "False"]
