"""Image encoding and the behaviour shared by image adapters (ViT and CNN).

Images come in as float arrays in [0, 1], shaped ``(H, W)`` (grey) or ``(H, W, C)``.
Units are pixels of the model's input, named ``r{row}c{col}``; gradient methods reduce
over channels, blank-out replaces a pixel with black.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from ..errors import DataError, ParameterError
from .base import AdapterBase, Batch, eval_mode

Preprocess = Callable[[list[np.ndarray]], torch.Tensor]


def check_images(images: Sequence[object], channels: int) -> list[np.ndarray]:
    """Validate images and return them as ``(H, W, C)`` float32 arrays."""
    if len(images) == 0:
        raise DataError("no input images given")
    out = []
    for i, image in enumerate(images):
        if isinstance(image, (str, bytes)):
            raise DataError(f"input {i} is text, but this model takes images")
        try:
            array = np.asarray(image, dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise DataError(f"image {i} is not a numeric array: {exc}") from None
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3 or array.shape[2] != channels:
            raise DataError(
                f"image {i} has shape {tuple(np.shape(image))}; expected (H, W) or (H, W, {channels}) for this model"
            )
        if not np.isfinite(array).all():
            raise DataError(f"image {i} contains NaN or infinite values")
        if array.min() < 0.0 or array.max() > 1.0:
            raise DataError(f"image {i} has values outside [0, 1] (min {array.min():g}, max {array.max():g})")
        out.append(array)
    return out


def stack_channels_first(images: list[np.ndarray]) -> torch.Tensor:
    """``(H, W, C)`` arrays -> ``(B, C, H, W)`` tensor, no other change."""
    return torch.from_numpy(np.stack([im.transpose(2, 0, 1) for im in images])).float()


def pixel_names(height: int, width: int) -> list[str]:
    return [f"r{r}c{c}" for r in range(height) for c in range(width)]


class ImageAdapter(AdapterBase):
    """Behaviour shared by image adapters; subclasses provide ``_logits(pixel_values)``."""

    modality = "image"
    baseline_kinds: tuple[str, ...] = ("black", "zero")
    default_baseline = "black"
    channels: int
    preprocess: Preprocess

    def _logits(self, pixel_values: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def encode(self, inputs: Sequence[object]) -> Batch:
        images = check_images(inputs, self.channels)
        pixels = self.preprocess(images)
        height, width = pixels.shape[-2:]
        names = pixel_names(height, width)
        return Batch(
            inputs={"pixel_values": pixels},
            units=[list(names) for _ in images],
            modality="image",
            special=[[False] * len(names) for _ in images],
            truncated=[0] * len(images),
            image_shape=(int(height), int(width)),
            sources=list(images),
        )

    def perturbed(self, batch: Batch, noise: torch.Tensor) -> Batch:
        """The batch with ``noise`` added to the model's input pixels (for stability measures)."""
        from dataclasses import replace

        pixels = batch.inputs["pixel_values"]
        return replace(batch, inputs={**batch.inputs, "pixel_values": pixels + noise.to(pixels)})

    def forward(self, batch: Batch) -> torch.Tensor:
        with eval_mode(self.model):
            return self._logits(batch.inputs["pixel_values"].to(self.device))

    def embed(self, batch: Batch) -> torch.Tensor:
        return batch.inputs["pixel_values"].to(self.device).detach().clone()

    def forward_from_embeddings(self, embeddings: torch.Tensor, batch: Batch) -> torch.Tensor:
        with eval_mode(self.model):
            return self._logits(embeddings)

    def baseline(self, batch: Batch, kind: str | None = None) -> torch.Tensor:
        """``black``: an all-black image after preprocessing; ``zero``: zero model input."""
        kind = self.baseline_kind(kind)
        if kind == "zero":
            return torch.zeros_like(self.embed(batch))
        if kind != "black":
            raise ParameterError(
                f"unknown baseline {kind!r} for an image model; choose one of: {', '.join(self.baseline_kinds)}"
            )
        black = [np.zeros_like(im) for im in batch.sources]
        return self.preprocess(black).to(self.device)

    def baseline_kind(self, kind: str | None = None) -> str:
        return kind or self.default_baseline

    def blank_value(self, batch: Batch) -> torch.Tensor:
        return self.baseline(batch, "black")


