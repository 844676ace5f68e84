"""SmoothGrad, GradientSHAP, DeepLIFT and Grad-CAM against independent computations on the shipped models
(which learned their tasks): hand-rolled noise averages, captum called directly on the bare network,
completeness, and Grad-CAM from hooked feature maps."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum.attr import DeepLift, GradientShap

from tests.attribution.test_captum_oracle import examples, oracle_inputs, per_unit
from tests.tabular_synthetic import sample_rows
from xaudit.attribution import get_method
from xaudit.attribution.deeplift import gelu_rescaled

MODELS = ["bert", "lstm", "cnn", "vit"]


def close(actual: np.ndarray, expected: np.ndarray) -> None:
    scale = float(np.abs(expected).max())
    assert scale > 1e-4  # signal: not a comparison of zeros
    np.testing.assert_allclose(actual, expected, atol=1e-4 * scale, rtol=1e-3)


def reduce_like_saliency(gradient: torch.Tensor, modality: str) -> np.ndarray:
    g = gradient.detach().double()[0]
    return (g.norm(dim=-1) if modality == "text" else g.abs().amax(dim=0).flatten()).numpy()


@pytest.mark.parametrize("name", MODELS)
def test_smoothgrad_is_the_mean_gradient_over_the_same_noisy_copies(trained_adapters, name):
    """Per example: σ = 0.1·(max x − min x), 20 copies x + ε drawn as captum draws them (one normal
    draw from the method's seed), gradients by autograd, averaged, then reduced as saliency. The first
    example explains its prediction, the second a class it was not predicted as."""
    adapter = trained_adapters[name]
    items = examples(name, 2)
    with torch.no_grad():
        predicted = adapter.forward(adapter.encode(items)).argmax(dim=-1).tolist()
    targets = [predicted[0], (predicted[1] + 1) % len(adapter.labels)]
    results = get_method("smoothgrad").attribute(adapter, adapter.encode(items), target=targets, seed=5)
    assert [r.target for r in results] == targets
    for item, result in zip(items, results):
        x, _, batch = oracle_inputs(adapter, item)
        torch.manual_seed(5)
        sigma = 0.1 * float(x.max() - x.min())
        noisy = (x.repeat(20, *[1] * (x.dim() - 1)) + torch.normal(0, sigma, size=(20, *x.shape[1:]))
                 ).requires_grad_(True)
        logits = adapter.forward_from_embeddings(noisy, batch)
        (gradient,) = torch.autograd.grad(logits[:, result.target].sum(), noisy)
        close(result.scores, reduce_like_saliency(gradient.mean(dim=0, keepdim=True), adapter.modality))


@pytest.mark.parametrize("name", MODELS)
def test_without_noise_smoothgrad_is_saliency_and_smoothgrad_ig_is_ig(trained_adapters, name):
    adapter = trained_adapters[name]
    batch = adapter.encode(examples(name, 2))
    for smoothed, plain in ((get_method("smoothgrad", noise_level=0.0, noise_samples=2), get_method("saliency")),
                            (get_method("smoothgrad-ig", noise_level=0.0, noise_samples=2, n_steps=16),
                             get_method("ig", n_steps=16))):
        for a, b in zip(smoothed.attribute(adapter, batch), plain.attribute(adapter, batch)):
            close(a.scores, b.scores)


@pytest.mark.parametrize("name", ["bert", "cnn"])
def test_gradient_shap_equals_captums_on_each_example_alone(trained_adapters, name):
    adapter = trained_adapters[name]
    items = examples(name, 2)
    results = get_method("gradient-shap", noise_samples=8).attribute(adapter, adapter.encode(items), seed=2)
    for item, result in zip(items, results):
        x, b, batch = oracle_inputs(adapter, item)
        torch.manual_seed(2)
        np.random.seed(2)
        expected = GradientShap(lambda e: adapter.forward_from_embeddings(e, batch)).attribute(
            x, baselines=b, target=result.target, n_samples=8, stdevs=0.1 * float(x.max() - x.min()))
        close(result.scores, per_unit(expected, adapter.modality))


@pytest.mark.parametrize("name", ["bert", "cnn"])
def test_gradient_shap_without_noise_is_complete_in_expectation(trained_adapters, name):
    """Without noise, Σ_i scores is the mean of g(α) = ∇f_t(b + α(x − b))·(x − b) over random α ~ U(0, 1),
    whose expectation is f(x) − f(b): the error must be within 4 standard errors, the spread of g
    measured on a grid of α."""
    adapter = trained_adapters[name]
    batch = adapter.encode(examples(name, 1))
    samples = 200
    (result,) = get_method("gradient-shap", noise_level=0.0, noise_samples=samples).attribute(adapter, batch)
    x, b = adapter.embed(batch), adapter.baseline(batch)
    alphas = torch.linspace(0.005, 0.995, 100).view(-1, *[1] * (x.dim() - 1))
    path = (b + alphas * (x - b)).requires_grad_(True)
    logits = adapter.forward_from_embeddings(path, batch)
    (gradient,) = torch.autograd.grad(logits[:, result.target].sum(), path)
    g = (gradient * (x - b)).flatten(1).sum(dim=1).double()
    with torch.no_grad():
        both = adapter.forward_from_embeddings(torch.cat([x, b]), batch)[:, result.target]
    gap = float(both[0] - both[1])
    assert abs(gap) > 0.1 and float(g.mean()) == pytest.approx(gap, rel=0.02)  # the grid itself integrates to the gap
    standard_error = float(g.std()) / samples ** 0.5
    assert abs(result.scores.sum() - gap) < 4 * standard_error


def test_deeplift_equals_captums_on_the_bare_network(trained_adapters):
    """Captum's DeepLift on the CNN itself (no adapter), pixels against a black image."""
    adapter = trained_adapters["cnn"]
    items = examples("cnn", 3)
    results = get_method("deeplift").attribute(adapter, adapter.encode(items))
    for item, result in zip(items, results):
        x, b, _ = oracle_inputs(adapter, item)
        expected = DeepLift(adapter.model.eval()).attribute(x.clone().requires_grad_(True), baselines=b,
                                                            target=result.target)
        close(result.scores, per_unit(expected, "image"))


def logit_gaps(adapter, batch) -> torch.Tensor:
    """``f(x) − f(b)`` for every class, from two forward passes."""
    with torch.no_grad():
        return (adapter.forward_from_embeddings(adapter.embed(batch), batch)
                - adapter.forward_from_embeddings(adapter.baseline(batch), batch))


def test_deeplift_scores_add_up_to_the_change_of_the_logit_on_the_mlp(tiny_adapters):
    """Summation to delta, exact because every non-linearity (the tabular MLP's GELU) gets the Rescale rule."""
    adapter = tiny_adapters["credit"]
    batch = adapter.encode(sample_rows(4))
    gaps = logit_gaps(adapter, batch)
    for row, result in enumerate(get_method("deeplift").attribute(adapter, batch)):
        gap = float(gaps[row, result.target])
        assert abs(gap) > 1e-3
        assert result.scores.sum() == pytest.approx(gap, abs=1e-5 * max(1.0, abs(gap)))
        assert abs(result.extras["convergence_delta"]) < 1e-5 * max(1.0, abs(gap))


def test_deeplift_reports_its_remainder_on_the_cnn(trained_adapters):
    """On the shipped CNN captum's scores miss f(x) − f(b) by a few percent (its max-pooling rule after two
    convolutions; the same on the bare network, see above): the reported delta is that remainder."""
    adapter = trained_adapters["cnn"]
    batch = adapter.encode(examples("cnn", 4))
    gaps = logit_gaps(adapter, batch)
    for row, result in enumerate(get_method("deeplift").attribute(adapter, batch)):
        gap = float(gaps[row, result.target])
        assert abs(gap) > 1.0
        assert result.extras["convergence_delta"] == pytest.approx(result.scores.sum() - gap, abs=1e-3)


def test_gelu_needs_the_rescale_rule_for_completeness(tiny_adapters):
    """Without the GELU rule captum passes GELU's gradient: the sum misses f(x) − f(b), so the test above can fail."""
    from captum.attr._core import deep_lift
    from torch import nn

    adapter = tiny_adapters["credit"]
    batch = adapter.encode(sample_rows(4))
    x, b = adapter.embed(batch), adapter.baseline(batch)
    from xaudit.attribution.deeplift import embedded_module

    assert nn.GELU not in deep_lift.SUPPORTED_NON_LINEAR  # the rule is added only while DeepLift runs
    _, plain = DeepLift(embedded_module(adapter, batch)).attribute(x, baselines=b, target=0,
                                                                   return_convergence_delta=True)
    with gelu_rescaled():
        _, rescaled = DeepLift(embedded_module(adapter, batch)).attribute(x, baselines=b, target=0,
                                                                          return_convergence_delta=True)
    assert nn.GELU not in deep_lift.SUPPORTED_NON_LINEAR
    assert float(rescaled.abs().max()) < 1e-5 < float(plain.abs().max())


def test_gradcam_equals_the_feature_maps_weighted_by_hand(trained_adapters):
    """Rectified feature maps A of the last convolution (its ReLU's output) and ∂f_t/∂A caught with a hook; ReLU(Σ_k mean(∂f_t/∂A^k)·A^k),
    upsampled bilinearly with torch."""
    from torch import nn

    adapter = trained_adapters["cnn"]
    items = examples("cnn", 3)
    results = get_method("gradcam").attribute(adapter, adapter.encode(items))
    last = adapter.model.features[-2]
    assert isinstance(last, nn.ReLU) and isinstance(adapter.model.features[-3], nn.Conv2d)
    caught = []
    handle = last.register_forward_hook(lambda _m, _i, out: caught.append(out))
    try:
        for item, result in zip(items, results):
            x, _, _ = oracle_inputs(adapter, item)
            caught.clear()
            logit = adapter.model.eval()(x)[0, result.target]
            (gradient,) = torch.autograd.grad(logit, caught[0])
            weights = gradient.mean(dim=(2, 3), keepdim=True)
            cam = F.relu((weights * caught[0]).sum(dim=1, keepdim=True))
            expected = F.interpolate(cam, size=x.shape[-2:], mode="bilinear").detach().double().flatten().numpy()
            assert result.scores.shape == (x.shape[-2] * x.shape[-1],)
            close(result.scores, expected)
    finally:
        handle.remove()


def test_gradcam_weighs_the_last_convolution_or_the_activation_right_after_it():
    from torch import nn

    from xaudit.attribution.gradcam import feature_layer
    from xaudit.errors import ModelError

    first, last, relu = nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3), nn.ReLU()
    assert feature_layer(nn.Sequential(first, nn.GELU(), last, relu, nn.Flatten())) is relu
    assert feature_layer(nn.Sequential(first, relu, last, nn.Tanh(), nn.Flatten())) is last  # not rectifying
    assert feature_layer(nn.Sequential(first, last, nn.Flatten())) is last
    assert feature_layer(nn.Sequential(first, relu, last)) is last  # the last module of all
    assert feature_layer(nn.Sequential(first, nn.GELU(), last, relu)) is relu  # an activation as the last module
    middle = nn.Conv2d(2, 2, 1)
    assert feature_layer(nn.Sequential(first, middle, last, nn.Flatten())) is last  # of three, the last
    assert feature_layer(nn.Sequential(first, middle, last)) is last  # of three, the last, and the last module
    with pytest.raises(ModelError, match=r"^gradcam needs a network with an nn\.Conv2d layer$"):
        feature_layer(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))


def test_deeplift_uses_the_baseline_asked_for(tiny_adapters):
    """With ``baseline='zero'`` the scores add up to f(x) − f(0), not to the gap from the typical applicant."""
    adapter = tiny_adapters["credit"]
    batch = adapter.encode(sample_rows(4))
    with torch.no_grad():
        x = adapter.embed(batch)
        gaps = adapter.forward_from_embeddings(x, batch) - adapter.forward_from_embeddings(torch.zeros_like(x), batch)
    typical = logit_gaps(adapter, batch)
    for row, result in enumerate(get_method("deeplift", baseline="zero").attribute(adapter, batch)):
        gap = float(gaps[row, result.target])
        assert result.params["baseline"] == "zero"
        assert result.scores.sum() == pytest.approx(gap, abs=1e-5 * max(1.0, abs(gap)))
        assert abs(gap - float(typical[row, result.target])) > 1e-3


def test_gradient_shap_uses_the_baseline_and_class_asked_for(trained_adapters):
    """A zero baseline (word tokens' embeddings zeroed, [CLS] and [SEP] kept; not the default [UNK]) and the class
    the model did not predict."""
    adapter = trained_adapters["bert"]
    (item,) = examples("bert", 1)
    x, unk, batch = oracle_inputs(adapter, item)
    zero = x.clone()
    zero[0, [i for i, special in enumerate(batch.special[0]) if not special]] = 0.0
    assert not torch.equal(zero, unk)
    with torch.no_grad():
        other = 1 - int(adapter.forward(batch).argmax())
    (result,) = get_method("gradient-shap", noise_samples=8, baseline="zero").attribute(adapter, batch, target=other,
                                                                                       seed=2)
    torch.manual_seed(2)
    np.random.seed(2)
    expected = GradientShap(lambda e: adapter.forward_from_embeddings(e, batch)).attribute(
        x, baselines=zero, target=other, n_samples=8, stdevs=0.1 * float(x.max() - x.min()))
    assert result.target == other and result.params["baseline"] == "zero"
    close(result.scores, per_unit(expected, "text"))


def test_smoothgrad_ig_passes_its_baseline_and_class_on(trained_adapters):
    """Without noise, smoothgrad-ig with a zero baseline for the class not predicted is ig with the same."""
    adapter = trained_adapters["bert"]
    batch = adapter.encode(examples("bert", 2))
    with torch.no_grad():
        others = (1 - adapter.forward(batch).argmax(dim=-1)).tolist()
    smoothed = get_method("smoothgrad-ig", noise_level=0.0, noise_samples=2, n_steps=16, baseline="zero")
    plain = get_method("ig", n_steps=16, baseline="zero")
    default = get_method("ig", n_steps=16)
    for s, p, d in zip(smoothed.attribute(adapter, batch, target=others), plain.attribute(adapter, batch, target=others),
                       default.attribute(adapter, batch, target=others)):
        assert s.target == p.target and s.params["baseline"] == "zero"
        close(s.scores, p.scores)
        assert not np.allclose(s.scores, d.scores, atol=1e-4)


def test_smoothgrad_ig_runs_noise_samples_times_n_steps_gradient_passes(trained_adapters, monkeypatch):
    """The documented cost: one integrated-gradients run of ``n_steps`` rows per noise sample."""
    adapter = trained_adapters["bert"]
    batch = adapter.encode(examples("bert", 1))
    rows: list[int] = []
    original = adapter.forward_from_embeddings

    def counting(embeddings, batch):
        rows.append(embeddings.shape[0])
        return original(embeddings, batch)

    monkeypatch.setattr(adapter, "forward_from_embeddings", counting)
    for samples, steps in ((3, 4), (2, 5)):
        rows.clear()
        get_method("smoothgrad-ig", noise_samples=samples, n_steps=steps).attribute(adapter, batch, target=0)
        assert rows == [steps] * samples
