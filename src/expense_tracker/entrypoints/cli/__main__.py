"""`python -m expense_tracker.entrypoints.cli`."""

from . import app

app()
