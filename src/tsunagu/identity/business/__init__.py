"""Business accounts (GビズID-style): a prime account per 法人番号 and its member accounts."""
