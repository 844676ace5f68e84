"""Every registered method on every zoo model (tests/zoo.py), through the contract's invariants.

Per model and method: scores over the units, finite; a batch equals its inputs one at a time; attention methods
read the decision position (worked out here from the token ids: [CLS]/first token, a decoder's last token, the
mask) and raw attention is the model's own row there; rollout rows sum to 1 and flow lies in [0, 1]; integrated
gradients sum to f(x) − f(b), computed here with the model, within their reported delta. Models whose attention
is not one token-to-token matrix (Swin's windows, BART's encoder-decoder) refuse the attention methods with an
error naming the model type, and run the others; methods that take attention blocks apart (alti, attention-norm,
value-zeroing) refuse the model types they do not know, naming the type. New methods join through the registry. The sampling methods
(kernel-shap, lime: hundreds of forward passes, ``in_defaults`` False) run on one model per input kind only, to
keep the suite fast.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from tests.zoo import REFUSING, ZOO, inputs_for
from xaudit.attribution import METHODS, get_method
from xaudit.errors import ModelError
from xaudit.models import load_model

SAMPLED_ON = ("bert", "gpt2-lm")
MODELS = list(ZOO) + list(REFUSING)


def cases() -> list[tuple[str, str]]:
    return [(model, method) for model in MODELS for method in sorted(METHODS)
            if METHODS[method].in_defaults or model in SAMPLED_ON]


@pytest.fixture(scope="session")
def zoo_adapter(zoo_folder):
    """``zoo_adapter(name)``: zoo model ``name`` loaded once per session (a causal LM explains " he" vs " she")."""
    loaded: dict[str, object] = {}

    def adapter(name: str):
        if name not in loaded:
            model = load_model(str(zoo_folder(name)))
            loaded[name] = model.with_continuation(" he", " she") if hasattr(model, "with_continuation") else model
        return loaded[name]

    return adapter


def expected_position(name: str, adapter, text: str) -> int:
    """The decision position read off the token ids: the mask, a decoder's last token, else the first token."""
    if adapter.modality == "image":
        return 0
    ids = adapter.tokenizer(text)["input_ids"]
    if name.endswith("-mlm"):
        return ids.index(adapter.tokenizer.mask_token_id)
    return len(ids) - 1 if name.startswith(("gpt2", "llama")) else 0


def own_attention(adapter, text: str) -> np.ndarray:
    """``(layers, n, n)`` heads-averaged attention of the HF model run on the text alone."""
    encoded = adapter.tokenizer([text], return_tensors="pt")
    with torch.no_grad():
        attentions = adapter.model(**encoded, output_attentions=True).attentions
    return torch.stack(attentions)[:, 0].mean(dim=1).double().numpy()


@pytest.mark.parametrize(("name", "method_name"), cases())
def test_zoo_contract(zoo_adapter, name, method_name):
    adapter = zoo_adapter(name)
    method = get_method(method_name)
    inputs = inputs_for(name, adapter)
    batch = adapter.encode(inputs)
    if "attentions" in method.requires and name in REFUSING:
        model_type = adapter.model.config.model_type
        with pytest.raises(ModelError, match=f"method '{method_name}' needs one token-to-token attention.*{model_type}"):
            method.attribute(adapter, batch)
        return
    if method.kinds is not None and adapter.kind not in method.kinds:  # declared: e.g. deeplift, gradcam
        with pytest.raises(ModelError, match=f"method '{method_name}' does not apply to model .* {adapter.kind}"):
            method.attribute(adapter, batch)
        return
    reason = method.why_not(adapter)
    if reason is not None:  # declared: e.g. the decomposition methods on model types they cannot take apart
        assert adapter.model.config.model_type in reason
        with pytest.raises(ModelError, match=re.escape(reason)):
            method.attribute(adapter, batch)
        return
    together = method.attribute(adapter, batch)
    for row, (item, result) in enumerate(zip(inputs, together)):
        assert result.scores.shape == (len(batch.units[row]),) and np.isfinite(result.scores).all()
        (alone,) = method.attribute(adapter, adapter.encode([item]))
        scale = max(1e-6, float(np.abs(alone.scores).max()))
        np.testing.assert_allclose(result.scores, alone.scores, atol=1e-4 * scale + 1e-7, rtol=1e-3)
        if adapter.has_attentions:
            position = expected_position(name, adapter, item) if adapter.modality == "text" else 0
            assert result.decision_position == alone.decision_position == position
        else:
            assert result.decision_position is None
        if method_name == "attention" and adapter.modality == "text":
            own = own_attention(adapter, item)
            np.testing.assert_allclose(result.layer_scores, own[:, result.decision_position], atol=1e-5)
        if method_name == "rollout" and adapter.modality == "text":
            np.testing.assert_allclose(result.layer_scores.sum(axis=1), 1.0, atol=1e-9)
        if method_name == "flow":
            assert (result.layer_scores >= -1e-9).all() and (result.layer_scores <= 1 + 1e-9).all()
    if method_name == "ig":
        with torch.no_grad():
            change = adapter.forward(batch) - adapter.forward_from_embeddings(adapter.baseline(batch), batch)
        for row, result in enumerate(together):
            expected = float(change[row, result.target])
            delta = result.extras["convergence_delta"]
            assert abs(result.scores.sum() - expected) <= abs(delta) + 1e-5 * max(1.0, abs(expected))
            if adapter.modality == "text":  # random image models (layer norm over 1-channel pixels) converge slower
                assert abs(delta) <= 0.05 * abs(expected) + 1e-3


@pytest.mark.parametrize("name", MODELS)
def test_zoo_forward_from_embeddings_is_the_forward(zoo_adapter, name):
    """Gradient methods see the model through its embeddings: the same logits as the model's own forward."""
    adapter = zoo_adapter(name)
    batch = adapter.encode(inputs_for(name, adapter))
    with torch.no_grad():
        torch.testing.assert_close(adapter.forward_from_embeddings(adapter.embed(batch), batch), adapter.forward(batch),
                                   atol=1e-5, rtol=1e-5)


def test_zoo_covers_the_families():
    families = {ZOO[name].config for name in ZOO}
    assert len(families) >= 12
    assert {"masked", "causal"} <= {"masked" if e.masked else "causal" if e.causal else "other" for e in ZOO.values()}
