"""The node (security server) of one organization: signs, verifies, authorizes, logs."""
