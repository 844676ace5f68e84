"""A small, seeded training loop for the reference classifiers (AdamW, warmup + linear decay)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..progress import ProgressFn, silent

Inputs = dict[str, torch.Tensor]


@dataclass(frozen=True)
class LoopSettings:
    epochs: int
    batch_size: int
    lr: float
    weight_decay: float = 0.01
    warmup: float = 0.1
    l2: float = 0.0
    """Coupled L2 penalty ``l2 · Σ w²`` over every parameter added to the loss (Keras' ``l2`` regularizer, as
    Abnar & Zuidema's models use); ``weight_decay`` is AdamW's decoupled decay."""


@dataclass
class TensorData:
    """Model inputs (tensors with a leading example axis) and integer labels."""

    inputs: Inputs
    labels: torch.Tensor

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def take(self, index: torch.Tensor) -> tuple[Inputs, torch.Tensor]:
        return {k: v[index] for k, v in self.inputs.items()}, self.labels[index]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def accuracy(model: nn.Module, call: Callable[[nn.Module, Inputs], torch.Tensor], data: TensorData,
             device: torch.device, batch_size: int = 512) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(data), batch_size):
            inputs, labels = data.take(torch.arange(start, min(start + batch_size, len(data))))
            logits = call(model, {k: v.to(device) for k, v in inputs.items()})
            correct += int((logits.argmax(-1).cpu() == labels).sum())
    return correct / max(len(data), 1)


def warmup_linear_decay(optimizer: torch.optim.Optimizer, total_steps: int,
                        warmup: float) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over the first ``warmup`` share of steps, then linear decay to zero."""
    warmup_steps = max(1, int(warmup * total_steps))

    def schedule(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def train_classifier(
    model: nn.Module,
    call: Callable[[nn.Module, Inputs], torch.Tensor],
    train: TensorData,
    dev: TensorData,
    settings: LoopSettings,
    seed: int,
    device: torch.device,
    augment: Callable[[Inputs, torch.Generator], Inputs] | None = None,
    progress: ProgressFn = silent,
) -> dict[str, object]:
    """Train with cross-entropy; keep the weights of the epoch with the best dev accuracy."""
    generator = torch.Generator().manual_seed(seed)
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    steps_per_epoch = (len(train) + settings.batch_size - 1) // settings.batch_size
    total_steps = steps_per_epoch * settings.epochs
    scheduler = warmup_linear_decay(optimizer, total_steps, settings.warmup)
    loss_fn = nn.CrossEntropyLoss()
    best = (-1.0, None, 0)
    history = []
    step = 0
    for epoch in range(settings.epochs):
        model.train()
        order = torch.randperm(len(train), generator=generator)
        running = 0.0
        for start in range(0, len(train), settings.batch_size):
            inputs, labels = train.take(order[start : start + settings.batch_size])
            if augment is not None:
                inputs = augment(inputs, generator)
            logits = call(model, {k: v.to(device) for k, v in inputs.items()})
            loss = loss_fn(logits, labels.to(device))
            if settings.l2:
                loss = loss + settings.l2 * sum(p.pow(2).sum() for p in model.parameters())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.detach().item() * len(labels)
            step += 1
            progress(f"training epoch {epoch + 1}/{settings.epochs}", step, total_steps)
        dev_accuracy = accuracy(model, call, dev, device)
        history.append({"epoch": epoch + 1, "train_loss": running / len(train), "dev_accuracy": dev_accuracy})
        if dev_accuracy > best[0]:
            best = (dev_accuracy, {k: v.detach().clone() for k, v in model.state_dict().items()}, epoch + 1)
    model.load_state_dict(best[1])
    model.eval()
    return {"dev_accuracy": best[0], "best_epoch": best[2], "history": history}
