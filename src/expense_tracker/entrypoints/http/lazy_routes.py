"""Routes built on first use, for the Lambda app: each cold start serves one request first, and
building every area's routes (FastAPI's dependency and body adapters, the schemas, the services
behind them) for it costs most of the init. An area's router is imported and included when the
first request whose path could reach it arrives, and its routes take their place in the app's
order, so the routing (404, 405, redirects) is the eager app's. The OpenAPI document includes
every area first, so it is the same document. Made for Lambda, which hands an execution
environment one request at a time; the local server, which routes requests concurrently,
builds its routes up front."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from starlette._utils import get_route_path
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from .route_table import ROUTES_PACKAGE, Area


class LazyRoutes:
    """The areas of an app not included yet, included on demand (once, under a lock)."""

    def __init__(self, app: FastAPI, areas: Sequence[Area]) -> None:
        self._app = app
        self._areas = tuple(areas)
        self._built: dict[Area, list[BaseRoute]] = {}
        self._lock = threading.Lock()
        # The routes the app has now (its OpenAPI document's) stay first, as when eager.
        self._start = len(app.router.routes)
        app.router.middleware_stack = _IncludeThenRoute(self, app.router.middleware_stack)

    @property
    def loaded(self) -> list[str]:
        return [area.module for area in self._areas if area in self._built]

    def include_for(self, path: str) -> None:
        needed = [a for a in self._areas if a not in self._built and a.prefixes_match(path)]
        if needed:
            self._include(needed)

    def include_all(self) -> None:
        self._include([a for a in self._areas if a not in self._built])

    def _include(self, areas: list[Area]) -> None:
        with self._lock:
            routes = self._app.router.routes
            end = self._start + sum(len(r) for r in self._built.values())
            for area in areas:
                if area in self._built:  # another thread was first
                    continue
                module = importlib.import_module(f"{ROUTES_PACKAGE}.{area.module}")
                before = len(routes)
                self._app.include_router(module.router)  # appends the area's routes
                self._built[area] = routes[before:]
                del routes[before:]
            ordered = [r for a in self._areas for r in self._built.get(a, [])]
            routes[self._start : end] = ordered


class _IncludeThenRoute:
    """In front of the app's router: includes what the request's path may need, then routes."""

    def __init__(self, routes: LazyRoutes, router: ASGIApp) -> None:
        self._routes = routes
        self._router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            self._routes.include_for(get_route_path(scope))
        await self._router(scope, receive, send)


class LazyApp(FastAPI):
    """A FastAPI app whose OpenAPI document includes the routes not built yet."""

    lazy_routes: LazyRoutes | None = None

    def openapi(self) -> dict[str, Any]:
        if self.lazy_routes is not None:
            self.lazy_routes.include_all()
        return super().openapi()
