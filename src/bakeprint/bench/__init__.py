"""Benchmarks: datasets and measurements behind ``make bench`` (see bench/run.py)."""
