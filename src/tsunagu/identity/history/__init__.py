"""Operation history (操作履歴) shown to each person, and the audit log of authentication events."""
