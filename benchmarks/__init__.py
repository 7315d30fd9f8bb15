"""Benchmarks (`make bench`): each module prints its figures and writes benchmarks/results/*.json."""
