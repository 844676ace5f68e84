"""Training recipes of the tabular reference models: ``credit`` (German credit) and ``income`` (Adult).

A small MLP (:class:`~xaudit.models.architectures.TabularMLP`) over the table's columns,
protected attributes included, trained on a stratified seeded 60% split with the epoch
chosen on 20% and held-out accuracy and AUC measured on the last 20%. The card records
the feature schema, the split, the data file's sha256 and the audit defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..datasets.decision_data import ADULT, GERMAN, SPLIT, TableSpec, favourable, read_table, sha256, split_indices
from ..models.architectures import TabularMLP
from ..models.feature_schema import FeatureSchema
from ..progress import ProgressFn
from .loop import LoopSettings, TensorData, seed_everything, train_classifier
from .recipes import _count


def train_credit(p: dict[str, Any], seed: int, device: torch.device, out: Path, progress: ProgressFn, *,
                 data_dir: Path | None) -> dict[str, Any]:
    """Good/bad credit risk on UCI German credit."""
    return _train_table(GERMAN, p, seed, device, out, progress, data_dir)


def train_income(p: dict[str, Any], seed: int, device: torch.device, out: Path, progress: ProgressFn, *,
                 data_dir: Path | None) -> dict[str, Any]:
    """Income above $50K on UCI Adult."""
    return _train_table(ADULT, p, seed, device, out, progress, data_dir)


def _train_table(spec: TableSpec, p: dict[str, Any], seed: int, device: torch.device, out: Path,
                 progress: ProgressFn, data_dir: Path | None) -> dict[str, Any]:
    from safetensors.torch import save_file

    frame, path = read_table(spec, data_dir)
    y = favourable(frame, spec)
    splits = split_indices(y, seed)
    schema = FeatureSchema.fit(frame[list(spec.columns)], splits["train"], spec.numeric, spec.categorical)
    flat = schema.flat_index()
    features = schema.encode(frame[list(spec.columns)]).reshape(len(frame), -1)[:, flat]

    def tensors(part: str) -> TensorData:
        rows = torch.from_numpy(splits[part])
        return TensorData({"features": features[rows]}, torch.from_numpy(y[splits[part]]))

    config = dict(in_features=schema.n_features, num_labels=2, hidden=list(p["hidden"]), dropout=p["dropout"])
    seed_everything(seed)
    model = TabularMLP(**{**config, "hidden": tuple(config["hidden"])})
    summary = train_classifier(model, lambda m, x: m(x["features"]), tensors("train"), tensors("dev"),
                               LoopSettings(p["epochs"], p["batch_size"], p["lr"], weight_decay=p["weight_decay"]),
                               seed, device, progress=progress)
    save_file({k: v.contiguous() for k, v in model.to("cpu").state_dict().items()}, str(out / "model.safetensors"))
    recipe = {"table": spec.name, "file": spec.file, "sha256": sha256(path), "rows": len(frame),
              "description": spec.description, "label": spec.label, "favourable_value": spec.favourable_value,
              "split": {"method": "sklearn.model_selection.train_test_split, stratified by label",
                        "seed": seed, "fractions": SPLIT, **{f"n_{k}": len(v) for k, v in splits.items()}}}
    test = frame.iloc[splits["test"]]
    return {"architecture": "tabular", "config": config, "labels": list(spec.labels), "schema": schema.to_dict(),
            "inputs": {"columns": list(spec.columns), "protected_are_inputs": True,
                       "note": "the protected attributes " + ", ".join(spec.protected)
                               + " are ordinary inputs of this model, as in many deployed models"},
            "audit": spec.audit_defaults(), "data": recipe, "training": summary, "parameters": _count(model),
            "metrics_fn": lambda adapter: held_out_metrics(adapter, test, y[splits["test"]])}


def held_out_metrics(adapter: Any, frame: Any, y: np.ndarray) -> dict[str, float | int]:
    """Accuracy, ROC AUC (scikit-learn) and the majority-class rate on held-out rows."""
    from sklearn.metrics import roc_auc_score

    from ..models.decisions import favourable_scores

    scores = favourable_scores(adapter, frame)
    predicted = (scores >= 0.5).astype(int)
    return {"test_accuracy": float((predicted == y).mean()), "test_auc": float(roc_auc_score(y, scores)),
            "test_majority_rate": float(max(y.mean(), 1 - y.mean())), "test_n": int(len(y))}
