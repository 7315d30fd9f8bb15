"""Conformance (適合性確認): checking systems against the data and linkage requirements."""
