"""Benchmarks that print figures (python -m benchmarks). Not part of the test suite."""
