"""Self-contained HTML audit reports for compliance teams (inline CSS and SVG, data as escaped JSON)."""
