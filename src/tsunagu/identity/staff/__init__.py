"""Staff accounts (職員): one organization, roles, password + TOTP."""
