"""Pieces several modules build the same way."""
