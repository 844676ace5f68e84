"""The built-in datasets of ``xaudit fairness --example NAME``, described without loading them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Example:
    """A built-in dataset (``maker`` is ``module:function``) and the columns to audit it by."""

    maker: str
    label: str
    prediction: str
    group_cols: tuple[str, ...]
    description: str

    def make(self) -> pd.DataFrame:
        module, function = self.maker.split(":")
        return getattr(import_module(module), function)()


EXAMPLES = {
    "credit": Example("xaudit.datasets.synthetic_credit:credit_decisions", "repaid", "approved", ("sex",),
                      "synthetic credit decisions, planted disparity against women and under-25s"),
}
