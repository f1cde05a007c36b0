"""The `expense-tracker` command. Each module registers one group of commands on `app`."""

from __future__ import annotations

from . import aws, backup, migrate, packs, receipts, serve, transfer, users  # noqa: F401
from .base import app

__all__ = ["app"]
