"""The two protocols of the Abnar & Zuidema (2020) tables: which units, references and correlation.

- ``xaudit`` (default): signed blank-out (``blankout``) and the L2 norm of the gold logit's
  gradient (``saliency``), correlated over the non-special tokens with Spearman's rho of
  average ranks (``ranking.spearman``); a constant side is undefined, left out and counted.
- ``paper``: the authors' code (``paper_references``): ``|Δp_y|`` blank-out with CLS blanked
  and the final token scored 0, ``|Σ_d ∂(p_0 − p_1)/∂e_i|``, correlated over the whole
  sequence, CLS and final token included, with ``ranking.dense_spearman`` (NaN counted as 0).
  Means are per layer; the authors' printed means pool layers 1..l (their result lists were
  never reset between layers), which is not reproduced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ParameterError, unknown_choice
from .ranking import dense_spearman, spearman

if TYPE_CHECKING:
    from ..models.base import Batch


@dataclass(frozen=True)
class Protocol:
    """How explanations are compared with a reference: over which units, by which correlation."""

    name: str
    units: Callable[[Batch, int], np.ndarray]
    correlate: Callable[[np.ndarray, np.ndarray], float | None]
    description: str


def _word_units(batch: Batch, row: int) -> np.ndarray:
    from .perturbation import candidate_units  # imports torch; a usage error should not wait for it

    return candidate_units(batch, row)


def _all_units(batch: Batch, row: int) -> np.ndarray:
    return np.arange(len(batch.units[row]), dtype=np.int64)


PROTOCOLS: dict[str, Protocol] = {p.name: p for p in (
    Protocol("xaudit", _word_units, spearman,
             "signed blank-out and the L2 norm of the gold logit's gradient; Spearman (average ranks) over the "
             "word tokens, [CLS]/[SEP] excluded; constant cases undefined and counted"),
    Protocol("paper", _all_units, dense_spearman,
             "the authors' code: |Δp_gold| blank-out ([CLS] blanked too, final token 0) and |Σ_d ∂(p_0 − p_1)/∂e_i|; "
             "1 − 6Σd²/(n(n²−1)) with dense ranks over the whole sequence, [CLS] and final token included; "
             "NaN counted as 0"),
)}
PAPER_REFERENCES = ("blankout", "saliency")


def protocol_of(name: str) -> Protocol:
    """The protocol called ``name`` (ParameterError naming the choices otherwise)."""
    if name not in PROTOCOLS:
        raise unknown_choice("protocol", name, PROTOCOLS)
    return PROTOCOLS[name]


def paper_references(names: Sequence[str]) -> list:
    """The authors' versions of the references ``names`` (blankout and/or saliency only)."""
    from .paper_references import PaperBlankout, PaperGradient

    unknown = [name for name in names if name not in PAPER_REFERENCES]
    if unknown:
        raise ParameterError(f"the paper protocol defines only the references {', '.join(PAPER_REFERENCES)}; "
                             f"got {unknown[0]!r}")
    built = {"blankout": PaperBlankout, "saliency": PaperGradient}
    return [built[name]() for name in dict.fromkeys(names)]
