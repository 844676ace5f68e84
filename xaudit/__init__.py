"""xaudit: explainability and fairness audits for trained neural networks."""

__version__ = "0.1.0"
