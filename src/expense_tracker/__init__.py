"""expense-tracker: a multi-user expense tracker, local (SQLite) or serverless (AWS)."""

__version__ = "0.1.0"
