"""Tamper-evident message logs: a hash chain per organization with signed checkpoints."""
