"""OpenID Connect provider (「もっとつながる」): services log residents in with consented attributes."""
