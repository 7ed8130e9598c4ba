"""The ``brokerhub`` command line (Typer + Rich)."""
