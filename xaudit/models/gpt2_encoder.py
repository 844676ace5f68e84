"""The classifier of Abnar & Zuidema (2020): GPT-2 blocks without the causal mask, a linear layer on [CLS].

Their verb-number model (``small_gpt_v9`` in the authors' repository samiraabnar/Reflect,
``util/model_configs.py``, with ``cl_bert``): 6 transformer blocks of GPT-2's form (pre-layer
norm), 8 heads, 128 dimensions, token and position embeddings (no token types), every token
attending to every non-padding token, [CLS] first, and one linear layer on [CLS]'s final state.
Dropouts: embeddings ``embd_pdrop`` 0.2, residual ``resid_pdrop`` 0.4, attention
``attn_pdrop`` 0.6; initializer range 0.05. Built from transformers' ``GPT2Block`` with an
explicit padding-only mask, so it runs eager attention and returns one ``(B, heads, n, n)``
matrix per layer like any Hugging Face encoder. Importing this module registers it with the
Auto classes (``model_type`` ``xaudit-gpt2-encoder``).
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import AutoConfig, AutoModelForSequenceClassification, GPT2Config
from transformers.modeling_outputs import SequenceClassifierOutput
from transformers.models.gpt2.modeling_gpt2 import GPT2Block, GPT2PreTrainedModel

MODEL_TYPE = "xaudit-gpt2-encoder"


class GPT2EncoderConfig(GPT2Config):
    """GPT-2's configuration under its own ``model_type``, so the Auto classes find the encoder."""

    model_type = MODEL_TYPE


class GPT2EncoderForSequenceClassification(GPT2PreTrainedModel):
    """``logits = W · h_L[CLS] + b`` over GPT-2 blocks whose attention is masked for padding only."""

    config_class = GPT2EncoderConfig

    def __init__(self, config: GPT2EncoderConfig):
        super().__init__(config)
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.n_positions, config.n_embd)
        self.drop = nn.Dropout(config.embd_pdrop)
        self.h = nn.ModuleList([GPT2Block(config, layer_idx=i) for i in range(config.n_layer)])
        for block in self.h:
            block.attn.is_causal = False  # only the eager path runs; this keeps SDPA off the causal kernel too
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.classifier = nn.Linear(config.n_embd, config.num_labels)
        self.post_init()

    def get_input_embeddings(self) -> nn.Embedding:
        return self.wte

    def set_input_embeddings(self, embeddings: nn.Embedding) -> None:
        self.wte = embeddings

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                output_attentions: bool = False, labels: torch.Tensor | None = None,
                **_: object) -> SequenceClassifierOutput:
        """Logits at position 0 ([CLS]); ``attentions``: one ``(B, heads, n, n)`` tensor per layer when asked.

        Token type ids, if a tokenizer passes them, are ignored: the model has none.
        """
        n = input_ids.shape[1]
        hidden = self.drop(self.wte(input_ids) + self.wpe(torch.arange(n, device=input_ids.device))[None])
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        keep = attention_mask[:, None, None, :].to(hidden.dtype)
        mask = (1.0 - keep) * torch.finfo(hidden.dtype).min  # (B, 1, 1, n): padding keys only, no causal part
        attentions = []
        hooks = [block.attn.register_forward_hook(lambda _m, _i, out: attentions.append(out[1]))
                 for block in self.h] if output_attentions else []
        try:
            for block in self.h:
                hidden = block(hidden, attention_mask=mask)
        finally:
            for hook in hooks:
                hook.remove()
        logits = self.classifier(self.ln_f(hidden)[:, 0])
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits,
                                        attentions=tuple(attentions) if output_attentions else None)


AutoConfig.register(MODEL_TYPE, GPT2EncoderConfig)
AutoModelForSequenceClassification.register(GPT2EncoderConfig, GPT2EncoderForSequenceClassification)
