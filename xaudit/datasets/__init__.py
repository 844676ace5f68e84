"""Datasets that xaudit generates or loads itself (reference tasks, built-in examples)."""
