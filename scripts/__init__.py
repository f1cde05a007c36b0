"""Project scripts (run with python scripts/NAME.py; importable for their tests)."""
