"""My Number Card (公的個人認証) with a software virtual card: CA, issuance, login, signatures."""
