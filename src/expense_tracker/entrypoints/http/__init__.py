"""The FastAPI app: routes, schemas, the error table, auth."""

from .app import create_app

__all__ = ["create_app"]
