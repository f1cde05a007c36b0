"""The web pages, shipped in the package (expense_tracker/web)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

WEB_ROOT = Path(str(files("expense_tracker") / "web"))

router = APIRouter(include_in_schema=False)


@router.get("/")
def index() -> RedirectResponse:
    return RedirectResponse("/login.html", status_code=302)


def mount_pages(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/", StaticFiles(directory=WEB_ROOT, html=True), name="web")
