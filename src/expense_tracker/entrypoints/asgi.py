"""ASGI factory for uvicorn (`expense_tracker.entrypoints.asgi:app`, factory=True)."""

from __future__ import annotations

from fastapi import FastAPI

from ..config import Settings
from .http.app import create_app


def app() -> FastAPI:
    return create_app(Settings())
