"""Identity and authentication: My Number Card login, business IDs, staff, OpenID Connect."""
