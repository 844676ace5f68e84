"""Value zeroing (Mohebbi, Zuidema, Chrupała & Alishahi 2023): how much each output changes without a token's value.

For layer l and token j, the value vector of j (the value projection's output at j, every head) is set to zero in
that layer only and the layer is rerun on its original input; ``C_ij`` is the cosine distance between token i's
original and altered layer output. Rows are normalised to sum to 1 and the layers composed by rollout, as in the
paper. The n zeroings of an example run as n copies in one forward pass of the layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._decomposition import DecompositionMethod, normalise_rows

if TYPE_CHECKING:
    import torch

    from ..models.attention_blocks import Block, Trace


class ValueZeroingMethod(DecompositionMethod):
    name = "value-zeroing"
    title = "Value zeroing"
    definition = ("C_ij = 1 − cos(x̃_i, x̃_i^¬j): token i's layer output against the one with token j's value vector "
                  "zeroed; rows normalised, multiplied through the layers (rollout); the output token's row.")
    citation = ("Mohebbi, Zuidema, Chrupała & Alishahi (2023), Quantifying Context Mixing in Transformers, EACL.")

    def layer_matrix(self, block: Block, traced: Trace, layer: int, row: int, n: int) -> torch.Tensor:
        import torch

        from ..models.attention_blocks import rerun_with_zeroed_values

        original = traced.outputs[layer][row, :n].double()  # (n, d)
        altered = rerun_with_zeroed_values(block, traced.calls[layer], row, n)[:, :n].double()  # (j, i, d)
        distance = 1 - torch.nn.functional.cosine_similarity(altered, original[None], dim=-1)
        return normalise_rows(distance.T.clamp(min=0))
