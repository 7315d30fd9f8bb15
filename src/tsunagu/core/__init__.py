"""Shared foundations: settings, database, clock, errors, crypto and standard data types."""
