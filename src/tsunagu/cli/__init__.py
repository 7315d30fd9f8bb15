"""The ``tsunagu`` command line (Typer + Rich)."""
