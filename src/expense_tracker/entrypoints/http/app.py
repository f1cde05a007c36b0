"""The FastAPI app factory: one app for the local server and for Lambda."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from ... import __version__
from ...bootstrap import Container, build_container
from ...config import Settings
from . import problems
from .access_log import JsonAccessLog
from .body_deadline import BodyDeadline
from .body_limits import IMPORT_BODY_LIMIT, IMPORT_PATH
from .fast_reads import FastReads
from .lazy_routes import LazyApp, LazyRoutes
from .middleware import BodyLimit, DuplicateKeys, SecurityHeaders
from .route_table import ROUTES_PACKAGE, areas_for

NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(
    settings: Settings | None = None,
    container: Container | None = None,
    *,
    serve_pages: bool = True,
    lazy_routes: bool = False,
) -> FastAPI:
    """Build the app around a container (built from settings when not given). With
    `lazy_routes` (the Lambda app) each area's routes are built on their first request."""
    settings = settings or (container.settings if container else Settings())
    owned = container is None
    wired = container or build_container(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for task in wired.background:
            task.start()
        try:
            yield
        finally:
            for task in reversed(wired.background):
                task.stop()
            if owned:
                wired.close()

    app = LazyApp(
        title="expense-tracker",
        version=__version__,
        description="Record, search, export and analyse what you spend.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # No OpenTelemetry here (Lambda reports EMF metrics): without this FastAPI asks the
        # global providers on every request whether anyone listens.
        telemetry=NO_TELEMETRY,
    )
    app.state.container = wired
    problems.install(app)
    # Innermost: the hottest reads skip the router, yet every middleware sees their answers.
    app.add_middleware(FastReads, container=wired)
    app.add_middleware(DuplicateKeys)  # inside BodyLimit: reads only what the limit allows
    body_limits = {IMPORT_PATH: IMPORT_BODY_LIMIT, **extra_body_limits(wired)}
    app.add_middleware(
        BodyLimit, limit_for=lambda path: body_limits.get(path, settings.max_body_bytes)
    )
    app.add_middleware(  # outside BodyLimit and DuplicateKeys: every body read is timed
        BodyDeadline,
        grace_seconds=settings.body_timeout_seconds,
        min_bytes_per_second=settings.min_body_bytes_per_second,
    )
    app.add_middleware(SecurityHeaders)
    if settings.access_log == "json":  # outermost: it sees every answer, even a 413
        app.add_middleware(JsonAccessLog)
    areas = areas_for(wired.settings.backend)
    if lazy_routes:
        app.lazy_routes = LazyRoutes(app, areas)
    else:
        for area in areas:
            app.include_router(importlib.import_module(f"{ROUTES_PACKAGE}.{area.module}").router)
    if serve_pages:  # imported here: the Lambda app (pages come from S3) never loads it
        from .routes import pages

        pages.mount_pages(app)
    return app


def extra_body_limits(container: Container) -> dict[str, int]:
    """Paths allowed more than the default 1 MiB (the local upload target)."""
    if container.settings.backend != "local":
        return {}
    from ...adapters.local.files import UPLOAD_PATH
    from .routes.uploads import UPLOAD_BODY_LIMIT

    return {UPLOAD_PATH: UPLOAD_BODY_LIMIT}
