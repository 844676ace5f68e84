"""Training code of the reference models shipped with xaudit."""
