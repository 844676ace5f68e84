"""Importing this module registers every built-in attribution method (one line each)."""

from . import blankout, flow, integrated_gradients, raw_attention, rollout, saliency, taylor  # noqa: F401
