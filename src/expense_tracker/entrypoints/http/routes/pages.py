"""The web pages, shipped in the package (expense_tracker/web).

`/` goes to the sign-in page; that page sends a signed-in visitor on to the dashboard, because
only the browser knows whether it holds a session (the tokens live in its sessionStorage)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.routing import Match, Mount
from starlette.types import Scope

WEB_ROOT = Path(str(files("expense_tracker") / "web"))

router = APIRouter(include_in_schema=False)


@router.get("/")
def index() -> RedirectResponse:
    return RedirectResponse("/login.html", status_code=302)


class Pages(StaticFiles):
    """Static files that browsers revalidate (ETag) on each load, so a new release of the
    pages and their modules is picked up at once rather than mixed with cached old ones."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("cache-control", "no-cache")
        return response


class PagesMount(Mount):
    """The pages at `/`, but never for API paths: a method an API route lacks then gets the
    router's 405 with that route's `Allow`, and an unknown API path a problem+json 404."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("path", "").startswith(("/api/", "/.well-known/")):
            return Match.NONE, {}
        return super().matches(scope)


def mount_pages(app: FastAPI) -> None:
    app.include_router(router)
    # Compressed for browsers that ask (app.css: 16 KiB -> about 5 KiB). Only the static
    # pages: API answers carry tokens, and compressing secrets invites BREACH-style attacks.
    pages = GZipMiddleware(Pages(directory=WEB_ROOT, html=True), minimum_size=1024)
    app.router.routes.append(PagesMount("/", pages, name="web"))
