"""Renderers: turn results into terminal tables, images or HTML. They never recompute."""
