"""Plain-text definitions and citations for the report's Methods section (no external links)."""

from __future__ import annotations

METHODS = [
    {"name": "Gradient saliency", "definition": "|∂f_t/∂e_i|: L2 norm over the embedding of the gradient of the "
     "explained class's logit f_t with respect to token i's embedding; for images the maximum over channels.",
     "reference": "Simonyan, Vedaldi & Zisserman (2014), Deep Inside Convolutional Networks."},
    {"name": "Taylor attribution", "definition": "First order a_i = (x_i − b_i)·∇_i f(x) around a baseline b "
     "([UNK] embedding for words, [PAD] for a model without [UNK]; a black image); the second-order variant subtracts ½ (x_i − b_i)·[H(x)(x − b)]_i. "
     "The remainder f(x) − f(b) − Σ a_i is reported.", "reference": "Montavon et al. (2018), Methods for "
     "interpreting and understanding deep neural networks."},
    {"name": "Integrated gradients", "definition": "(x_i − b_i)·∫₀¹ ∂f_t(b + α(x − b))/∂x_i dα from the same "
     "baseline as Taylor, 50 Gauss-Legendre steps; scores sum to f(x) − f(b) up to the reported convergence delta.",
     "reference": "Sundararajan, Taly & Yan (2017), Axiomatic Attribution for Deep Networks."},
    {"name": "Blank-out", "definition": "p_t(x) − p_t(x with unit i replaced by [UNK] / a black pixel), one unit "
     "at a time.", "reference": "Abnar & Zuidema (2020); Zeiler & Fergus (2014) for occlusion."},
    {"name": "Raw attention", "definition": "The output token's ([CLS]) row of the attention matrix, heads averaged.",
     "reference": "Abnar & Zuidema (2020), Quantifying Attention Flow in Transformers, ACL."},
    {"name": "Attention rollout", "definition": "Â = 0.5·A + 0.5·I (rows renormalised), multiplied through the "
     "layers: Â_l·Â_{l−1}⋯Â_1; the output token's row.", "reference": "Abnar & Zuidema (2020)."},
    {"name": "Attention flow", "definition": "Maximum flow from the output node (layer l, [CLS]) to each input "
     "token in the layered graph with edge capacities Â, normalised over tokens; solved exactly.",
     "reference": "Abnar & Zuidema (2020)."},
    {"name": "Spearman vs a reference", "definition": "Rank correlation, per example, between a method's scores "
     "and blank-out or gradient scores over the non-special tokens; values rounded before ranking so that "
     "saturated flows tie; undefined (constant) cases are counted, not averaged.",
     "reference": "Abnar & Zuidema (2020), Tables 1–2."},
    {"name": "AOPC comprehensiveness / sufficiency", "definition": "Mean over k ∈ {1, 5, 10, 20, 50}% of "
     "p_t(x) − p_t(x without its top-k units) / p_t(x) − p_t(only its top-k units).",
     "reference": "DeYoung et al. (2020), ERASER, ACL."},
    {"name": "Gini index", "definition": "Sparsity of the normalised |scores|: 0 uniform, 1 − 1/n one-hot.",
     "reference": "Hurley & Rickard (2009); Chalasani et al. (2020)."},
    {"name": "Max-sensitivity", "definition": "Largest relative change ‖a(x+δ) − a(x)‖/‖a(x)‖ over Gaussian "
     "perturbations δ of the embeddings / pixels.", "reference": "Yeh et al. (2019), On the (In)fidelity and "
     "Sensitivity of Explanations."},
    {"name": "Statistical parity", "definition": "P(ŷ=1 | g) equal across groups: difference max − min, ratio "
     "min / max, impact ratio vs the reference group.", "reference": "Verma & Rubin (2018), Fairness "
     "Definitions Explained; NYC Local Law 144 bias audits (impact ratio)."},
    {"name": "Performance parity (equal opportunity)", "definition": "P(ŷ=1 | y=1, g) equal across groups; with "
     "the false positive rate, equalized odds.", "reference": "Hardt, Price & Srebro (2016)."},
    {"name": "Accuracy equality", "definition": "P(ŷ=y | g) equal across groups (overall accuracy equality).",
     "reference": "Verma & Rubin (2018)."},
    {"name": "Four-fifths rule", "definition": "A group's selection rate below 80% of the reference group's "
     "indicates adverse impact.", "reference": "US EEOC Uniform Guidelines (1978), 29 CFR 1607.4(D)."},
    {"name": "Worst-off group", "definition": "The group with the lowest value of a benefit (highest of a harm): "
     "the Rawlsian view, reported beside the gaps.", "reference": "Jørgensen & Søgaard, Rawlsian AI fairness "
     "loopholes (2022)."},
    {"name": "Cloze P@k", "definition": "Share of a group's annotation rows whose answer (NFC, stripped, "
     "casefolded, whole word) is among the model's top-k whole-word predictions for the sentence; means "
     "with population standard deviations across languages and groups.", "reference": "Cabello Piqueras & "
     "Søgaard (2022), Are Pretrained Multilingual Models Equally Fair Across Languages?, COLING."},
]

LIMITATIONS = [
    "Attributions describe how this model responds to these inputs; they are not causal claims about the world, "
    "and different methods can disagree (see the explanation-quality table before relying on one).",
    "Attention-based scores (raw, rollout, flow) reflect information mixing in the attention graph only; they "
    "ignore the feed-forward layers and value vectors.",
    "Group metrics are estimates from a finite sample: read gaps together with their intervals and tests; groups "
    "flagged too small to judge should not be used for conclusions either way.",
    "Fairness criteria can conflict: when base rates differ, statistical parity, performance parity and accuracy "
    "equality cannot all hold at once, so a clean result on one is not a clean result on all.",
    "The reference models are small models trained by xaudit for demonstration; the group-fairness datasets "
    "(UCI Adult, German credit, or the built-in synthetic credit data) are audited with predictions of a simple "
    "classifier or rule, not of a deployed system.",
    "Cloze P@k compares a model with human answers; a low P@k for a group may reflect the model, the "
    "annotators' variety of answers, or both; read it against the human baseline.",
]
