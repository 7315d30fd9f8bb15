"""Deterministic synthetic residents for demos, tests and benchmarks (never real people)."""
