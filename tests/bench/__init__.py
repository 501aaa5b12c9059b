"""Benchmarks run by nox sessions (not collected by pytest)."""
