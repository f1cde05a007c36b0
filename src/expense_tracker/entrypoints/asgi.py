"""ASGI factory for uvicorn (`expense_tracker.entrypoints.asgi:app`, factory=True)."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from ..config import Settings
from .http.app import create_app


def app() -> FastAPI:
    built = create_app(Settings())
    freeze_startup_heap()
    return built


def freeze_startup_heap() -> None:
    """What startup made (modules, the app, its routes, models and schemas) lives as long as
    the server: moved out of the cyclic collector's sight (gc.freeze), once its garbage is
    gone. Each full collection walked all of it, 60-80 ms with the event loop stopped, every
    second or two under load: the tail of the adds' p99 at 16 connections."""
    gc.collect()
    gc.freeze()
