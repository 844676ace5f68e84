"""Causal language models (``*ForCausalLM``: GPT-2, Llama, Mistral, Qwen, ...) read as a two-class model.

What is explained is the log-probability of a continuation given the text, summed over the
continuation's tokens, ``s = Σ_j log p(c_j | text, c_<j)``, or contrastively the difference
``s(target) − s(foil)`` ("why *he* rather than *she*?", Yin & Neubig 2022, Interpreting Language
Models with Contrastive Explanations). ``forward`` returns two columns whose second is that
quantity and whose softmax is a real distribution: ``[log(1 − p), log p]`` for a continuation
alone (it, or anything else), ``[0, s_t − s_f]`` with a foil (``p_t / (p_t + p_f)``). Every method
explains column 1 (``explained_class``). The continuation is tokenized on its own (its leading
space kept, no special tokens) and placed right after each text's last token: texts are padded
on the right, so a batch scores as its texts one at a time. Attention methods read the attention
row of the predicting position, the text's last token.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..errors import ParameterError
from .base import Batch, eval_mode, tile_inputs
from .hf import HFTextAdapter, _check_eager, _stack_attentions
from .text import UNK, encode_with_tokenizer


class HFCausalLMAdapter(HFTextAdapter):
    """A ``*ForCausalLM`` model explaining ``log p(target | text)`` or ``log p(target) − log p(foil)``.

    Loading gives the model without a continuation; :meth:`with_continuation` gives the view
    that methods explain (sharing the model and tokenizer).
    """

    explained_class = 1

    def __init__(self, model: nn.Module, tokenizer, name: str, target: str | None = None, foil: str | None = None):
        super().__init__(model, tokenizer, name)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
        if tokenizer.pad_token is None:
            raise ParameterError(f"causal LM {name!r} has a tokenizer without a padding, end or unknown token")
        self.target, self.foil = target, foil
        self.target_ids = self._continuation_ids("target", target) if target is not None else []
        self.foil_ids = self._continuation_ids("foil", foil) if foil is not None else []
        if target is None:
            self.labels: list[str] = []
        else:
            self.labels = [foil if foil is not None else f"not {target!r}", target]

    def with_continuation(self, target: str, foil: str | None = None) -> HFCausalLMAdapter:
        """The view that explains ``target`` (contrasted with ``foil``) after each text."""
        return HFCausalLMAdapter(self.model, self.tokenizer, self.name, target, foil)

    def _continuation_ids(self, what: str, text: str) -> list[int]:
        if not isinstance(text, str) or not text:
            raise ParameterError(f"the {what} continuation of causal LM {self.name!r} must be non-empty text")
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        if not ids:
            raise ParameterError(f"the {what} continuation {text!r} has no tokens")
        return list(ids)

    def encode(self, inputs: Sequence[object]) -> Batch:
        """Texts padded on the right, leaving room for the longer continuation within the positions."""
        room = max(len(self.target_ids), len(self.foil_ids))
        if room >= self.max_length:
            raise ParameterError(f"the continuation has {room} tokens; model {self.name!r} reads {self.max_length}")
        return encode_with_tokenizer(self.tokenizer, inputs, self.max_length - room)

    def output_positions(self, batch: Batch) -> list[int]:
        """The predicting position: each text's last token (its next-token distribution scores the continuation)."""
        return (batch.inputs["attention_mask"].sum(dim=1) - 1).tolist()

    def _token_id(self, token: str) -> int | None:
        if token == UNK and self.tokenizer.unk_token_id is None:
            return None
        return super()._token_id(token)

    def _require_continuation(self) -> None:
        if not self.target_ids:
            raise ParameterError(f"model {self.name!r} is a causal LM: name the continuation to explain "
                                 "(--target TEXT, optionally --foil TEXT)")

    def forward(self, batch: Batch) -> torch.Tensor:
        return self.forward_from_embeddings(self.embed(batch), batch)

    def forward_from_embeddings(self, embeddings: torch.Tensor, batch: Batch) -> torch.Tensor:
        return self._columns(embeddings, batch)[0]

    def _columns(self, embeddings: torch.Tensor, batch: Batch, attentions: bool = False):
        """``(k·B, 2)`` logits, and with ``attentions`` each pass's attention weights."""
        self._require_continuation()
        mask = tile_inputs(self._to_device(batch), embeddings.shape[0])["attention_mask"]
        score, seen = self._log_probability(embeddings, mask, self.target_ids, attentions)
        passes = [seen]
        if self.foil_ids:
            foil, seen = self._log_probability(embeddings, mask, self.foil_ids, attentions)
            passes.append(seen)
            columns = torch.stack([torch.zeros_like(score), score - foil], dim=1)
        else:
            other = torch.log1p(-score.exp().clamp(max=1 - 1e-7))
            columns = torch.stack([other, score], dim=1)
        return columns, passes

    def _log_probability(self, embeddings: torch.Tensor, mask: torch.Tensor, ids: list[int], attentions: bool):
        """``Σ_j log p(c_j | text, c_<j)`` per row, with the continuation placed after each text's last token."""
        rows, width, dim = embeddings.shape
        m = len(ids)
        tokens = torch.tensor(ids, device=embeddings.device)
        continuation = self._embedding_layer()(tokens).to(embeddings.dtype).expand(rows, m, dim)
        lengths = mask.sum(dim=1)
        places = lengths[:, None] + torch.arange(m, device=mask.device)  # (rows, m)
        index = torch.arange(rows, device=mask.device)[:, None]
        full = torch.cat([embeddings, embeddings.new_zeros(rows, m, dim)], dim=1).index_put((index, places),
                                                                                          continuation)
        full_mask = torch.cat([mask, mask.new_zeros(rows, m)], dim=1).index_put((index, places),
                                                                               mask.new_ones(()).expand(rows, m))
        with eval_mode(self.model):
            out = self.model(inputs_embeds=full, attention_mask=full_mask, output_attentions=attentions)
        log_p = torch.log_softmax(out.logits[index, places - 1].float(), dim=-1)  # position n-1+j predicts c_j
        score = log_p.gather(-1, tokens.expand(rows, m)[..., None])[..., 0].sum(dim=1)
        return score, out.attentions if attentions else None

    def attention_gradients(self, batch: Batch, targets: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """The text's attention ``(layers, B, heads, n, n)`` and the gradient of the explained column with respect
        to it. Under causal attention the text's block is the same in the target's and the foil's pass, so its
        gradient is the sum of the two passes' gradients on that block."""
        _check_eager(self.model, self.name)
        width = batch.inputs["input_ids"].shape[1]
        with torch.enable_grad():
            columns, passes = self._columns(self.embed(batch), batch, attentions=True)
            chosen = columns.argmax(dim=-1) if targets is None else targets.to(columns.device)
            weights = [a for seen in passes for a in seen]
            gradients = torch.autograd.grad(columns.gather(1, chosen[:, None]).sum(), weights, allow_unused=True)
        layers = len(passes[0])
        block = lambda t: t[..., :width, :width]  # noqa: E731
        summed = [sum(block(g) if g is not None else 0 for g in gradients[layer::layers]) for layer in range(layers)]
        return _stack_attentions([block(a) for a in passes[0]], self.name), torch.stack(
            [g if torch.is_tensor(g) else torch.zeros_like(block(passes[0][0])) for g in summed])
