"""Mesh directory (run by the platform operator): members, services, legal bases, subscriptions."""
