"""scikit-learn's bundled 8x8 handwritten digits (UCI ML optical recognition), split by seed.

Pixel intensities 0..16 are scaled to [0, 1]. The split is stratified-free but seeded:
a ``numpy.random.default_rng(seed)`` permutation, then 60% train, 20% dev, 20% test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LABELS = tuple(str(d) for d in range(10))
IMAGE_SHAPE = (8, 8)


@dataclass(frozen=True)
class DigitSplit:
    images: np.ndarray  # (n, 8, 8) float32 in [0, 1]
    labels: np.ndarray  # (n,) int64


@dataclass(frozen=True)
class DigitSplits:
    train: DigitSplit
    dev: DigitSplit
    test: DigitSplit


def splits(seed: int = 0) -> DigitSplits:
    """Seeded 60/20/20 split of the 1,797 digits."""
    from sklearn.datasets import load_digits

    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)
    labels = data.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    n_train, n_dev = int(0.6 * len(order)), int(0.2 * len(order))
    parts = np.split(order, [n_train, n_train + n_dev])
    train, dev, test = (DigitSplit(images[p], labels[p]) for p in parts)
    return DigitSplits(train, dev, test)


def test_image(index: int, seed: int = 0) -> tuple[np.ndarray, int]:
    """Image ``index`` of the test split (as used by ``--digit N``) and its label."""
    test = splits(seed).test
    if not 0 <= index < len(test.labels):
        from ..errors import ParameterError

        raise ParameterError(
            f"The 'digit' parameter must be an int >= 0 and <= {len(test.labels) - 1}. Got {index!r} instead."
        )
    return test.images[index], int(test.labels[index])
