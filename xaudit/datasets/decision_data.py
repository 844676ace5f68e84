"""The tables the tabular reference models learn from: UCI German credit and UCI Adult.

Each :class:`TableSpec` says where the file lies in the shared data folder, which column
is the label and which value of it is favourable, which columns the model reads (the
protected attributes among them, as many deployed models have them), and the audit
defaults that travel in the model card: protected attributes and group definitions.

Group definitions (``groupings``) derive a group column from a data column, either by a
value map (German ``personal_status``: A91/A93/A94 male, A92/A95 female, per german.txt) or
by a cut of a number (``age`` under 25).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..paths import DATA_DIR_ENV

SPLIT = {"train": 0.6, "dev": 0.2, "test": 0.2}
"""Stratified by label, seeded: the dev split picks the epoch, the test split is held out."""


@dataclass(frozen=True)
class TableSpec:
    """A decision table: its file, label, the columns a model reads and the audit defaults."""

    name: str
    file: str
    label: str
    favourable_value: str
    labels: tuple[str, str]
    """Model class names: (unfavourable, favourable)."""
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    protected: tuple[str, ...]
    groupings: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_cols: tuple[str, ...] = ()
    description: str = ""
    counterfactuals: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per protected input, the value each category changes to in a counterfactual copy (two-category
    columns need none: their values swap)."""
    counterfactual_note: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.numeric + self.categorical

    def audit_defaults(self) -> dict[str, Any]:
        """The card's ``audit`` section: what ``xaudit fairness --model`` uses unless told otherwise."""
        return {"label_col": self.label, "favourable_value": self.favourable_value,
                "favourable_label": self.labels[1], "protected": list(self.protected),
                "protected_are_inputs": [c for c in self.protected if c in self.columns],
                "groupings": self.groupings, "group_cols": list(self.group_cols),
                "counterfactuals": self.counterfactuals, "counterfactual_note": self.counterfactual_note}


GERMAN = TableSpec(
    "german", "german/german.csv", "credit", "1", ("bad", "good"),
    numeric=("month", "credit_amount", "investment_as_income_percentage", "residence_since", "age",
             "number_of_credits", "people_liable_for"),
    categorical=("status", "credit_history", "purpose", "savings", "employment", "personal_status",
                 "other_debtors", "property", "installment_plans", "housing", "skill_level", "telephone",
                 "foreign_worker"),
    protected=("personal_status", "age"),
    groupings={"sex": {"column": "personal_status", "map": {"A91": "male", "A93": "male", "A94": "male",
                                                            "A92": "female", "A95": "female"}},
               "age_group": {"column": "age", "cut": 25, "below": "under 25", "above": "25 and over"}},
    group_cols=("sex",),
    description="UCI Statlog German credit (1,000 applicants; credit 1 = good risk, 2 = bad)",
    counterfactuals={"personal_status": {"A91": "A92", "A93": "A92", "A94": "A92", "A92": "A91"}},
    counterfactual_note="sex swapped, marital status kept where german.txt allows: the data holds no A95 (female "
                        "single), so every male code becomes A92 (female divorced/separated/married); A92 has no "
                        "exact male counterpart and becomes A91 (male divorced/separated)",
)
ADULT = TableSpec(
    "adult", "adult/adult.csv", "income-per-year", ">50K", ("<=50K", ">50K"),
    numeric=("age", "education-num", "capital-gain", "capital-loss", "hours-per-week"),
    categorical=("workclass", "marital-status", "occupation", "relationship", "race", "sex", "native-country"),
    protected=("sex", "race", "age"),
    groupings={"age_group": {"column": "age", "cut": 25, "below": "under 25", "above": "25 and over"}},
    group_cols=("sex",),
    description="UCI Adult census income (32,561 people; income-per-year >50K or <=50K)",
)
TABLES = {spec.name: spec for spec in (GERMAN, ADULT)}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_path(spec: TableSpec, data_dir: Path | None) -> Path:
    """The table's file in the shared data folder; DataError saying where to put it when absent."""
    if data_dir is None or not (data_dir / spec.file).is_file():
        where = data_dir / spec.file if data_dir is not None else f"<data folder>/{spec.file}"
        raise DataError(f"{spec.description} not found at {where}: put {spec.file} in the shared data folder "
                        f"(../shared/data, or set {DATA_DIR_ENV}, or pass `data_dir`)")
    return data_dir / spec.file


def read_table(spec: TableSpec, data_dir: Path | None) -> tuple[pd.DataFrame, Path]:
    """The model's columns and the label, categorical values and the label as text."""
    path = table_path(spec, data_dir)
    text = {c: str for c in (*spec.categorical, spec.label)}
    frame = pd.read_csv(path, dtype=text, keep_default_na=False)
    missing = [c for c in (*spec.columns, spec.label) if c not in frame.columns]
    if missing:
        raise DataError(f"{path} has no column {missing[0]!r}")
    return frame, path


def split_indices(labels: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Stratified, seeded train/dev/test row indices (fractions in ``SPLIT``), each sorted."""
    from sklearn.model_selection import train_test_split

    rows = np.arange(len(labels))
    train, rest = train_test_split(rows, train_size=SPLIT["train"], random_state=seed, stratify=labels)
    dev_share = SPLIT["dev"] / (SPLIT["dev"] + SPLIT["test"])
    dev, test = train_test_split(rest, train_size=dev_share, random_state=seed, stratify=labels[rest])
    return {"train": np.sort(train), "dev": np.sort(dev), "test": np.sort(test)}


def favourable(frame: pd.DataFrame, spec: TableSpec) -> np.ndarray:
    """1 where the label is the favourable value, else 0."""
    return (frame[spec.label].astype(str) == spec.favourable_value).to_numpy().astype(np.int64)
