"""Grad-CAM (Selvaraju et al. 2017), via captum's ``LayerGradCam`` on the rectified output of the last
``nn.Conv2d`` of a convolutional network: ``ReLU(Σ_k α_k A^k)`` with ``α_k`` the spatial mean of ``∂f_t/∂A^k``, upsampled
bilinearly to the input's pixels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import AttributionMethod, RawScores, split_rows

if TYPE_CHECKING:
    import torch
    from torch import nn

    from ..models.base import Batch, ModelAdapter


ACTIVATIONS = ("ReLU", "LeakyReLU", "ELU", "GELU", "SiLU")


def feature_layer(model: nn.Module) -> nn.Module:
    """The network's last ``nn.Conv2d`` in module order, or the activation module right after it: Grad-CAM
    weighs rectified feature maps (on the shipped CNN the unrectified ones give an all-zero map for 7 of
    50 digits, the rectified ones for none)."""
    from torch import nn

    from ..errors import ModelError

    modules = list(model.modules())
    convs = [i for i, m in enumerate(modules) if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ModelError("gradcam needs a network with an nn.Conv2d layer")
    after = modules[convs[-1] + 1] if convs[-1] + 1 < len(modules) else None
    return after if type(after).__name__ in ACTIVATIONS else modules[convs[-1]]


class GradCamMethod(AttributionMethod):
    name = "gradcam"
    title = "Grad-CAM"
    definition = ("ReLU(Σ_k α_k A^k) over the rectified feature maps A^k of the last convolution, α_k = mean over positions "
                  "of ∂f_t/∂A^k, upsampled bilinearly to pixels.")
    citation = ("Selvaraju et al. (2017), Grad-CAM: Visual Explanations from Deep Networks via Gradient-based "
                "Localization, ICCV.")
    requires = frozenset({"gradients"})
    kinds = frozenset({"conv"})
    kinds_reason = "Grad-CAM weighs the feature maps of a convolution, and this model has none; use saliency or ig"

    def _scores(self, adapter: ModelAdapter, batch: Batch, targets: torch.Tensor) -> RawScores:
        from captum.attr import LayerAttribution, LayerGradCam

        x = adapter.embed(batch)
        forward = lambda e: adapter.forward_from_embeddings(e, batch)  # noqa: E731
        cam = LayerGradCam(forward, feature_layer(adapter.model)).attribute(x, target=targets, relu_attributions=True)
        pixels = LayerAttribution.interpolate(cam.detach(), tuple(x.shape[-2:]), interpolate_mode="bilinear")
        return RawScores(split_rows(pixels.flatten(1), batch.lengths))
