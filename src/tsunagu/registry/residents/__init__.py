"""Resident registry (住民基本台帳): records, history, change events and accesses per municipality."""
