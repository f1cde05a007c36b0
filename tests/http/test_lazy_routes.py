"""The Lambda app builds an area's routes on the first request that may reach them; it must
route, answer and document exactly as the app that builds them all up front."""

from __future__ import annotations

import importlib

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from expense_tracker.config import Settings
from expense_tracker.entrypoints.http.app import create_app
from expense_tracker.entrypoints.http.lazy_routes import LazyApp, LazyRoutes
from expense_tracker.entrypoints.http.openapi_spec import memory_container
from expense_tracker.entrypoints.http.route_table import ROUTES_PACKAGE, areas_for

BACKENDS = ["local", "aws"]


def app_for(backend: str, *, lazy: bool) -> FastAPI:
    container = memory_container(Settings(backend=backend))
    return create_app(container=container, serve_pages=False, lazy_routes=lazy)


def lazy_of(app: FastAPI) -> LazyRoutes:
    assert isinstance(app, LazyApp) and app.lazy_routes is not None
    return app.lazy_routes


def shape(app: FastAPI) -> list[tuple[str, str, list[str], str]]:
    """Each route in the app's order (an included router's routes in its place)."""
    routes: list[BaseRoute] = []
    for route in app.routes:
        included = getattr(route, "original_router", None)
        routes.extend(included.routes if included is not None else [route])
    return [
        (type(r).__name__, getattr(r, "path", ""), sorted(getattr(r, "methods", None) or []),
         getattr(r, "name", ""))
        for r in routes
    ]  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_route_starts_with_a_literal_prefix_of_its_area(backend: str) -> None:
    for area in areas_for(backend):
        assert all("{" not in prefix for prefix in area.prefixes)
        router = importlib.import_module(f"{ROUTES_PACKAGE}.{area.module}").router
        assert router.routes
        for route in router.routes:
            assert area.prefixes_match(route.path), (area.module, route.path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_lazy_app_with_every_area_routes_as_the_eager_one(backend: str) -> None:
    eager, lazy = app_for(backend, lazy=False), app_for(backend, lazy=True)
    assert lazy_of(lazy).loaded == []
    lazy_of(lazy).include_all()
    assert shape(lazy) == shape(eager)
    assert len(shape(eager)) > 40


def test_the_lazy_apps_document_is_the_eager_ones() -> None:
    eager, lazy = app_for("aws", lazy=False), app_for("aws", lazy=True)
    assert lazy.openapi() == eager.openapi()
    assert len(lazy_of(lazy).loaded) == len(areas_for("aws"))


def test_a_request_builds_only_the_areas_its_path_may_reach() -> None:
    lazy = app_for("aws", lazy=True)
    TestClient(lazy).get("/api/expenses")  # a plain page: the fast lane answers, no route built
    assert lazy_of(lazy).loaded == []
    TestClient(lazy).post("/api/expenses", json={})
    assert lazy_of(lazy).loaded == ["expenses"]
    TestClient(lazy).get("/api/expenses/some-id")
    assert lazy_of(lazy).loaded == ["transfer", "expenses", "receipts"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/expenses"),  # 401: no token
        ("GET", "/api/health"),
        ("PUT", "/api/expenses"),  # 405
        ("GET", "/api/expenses/"),  # the slash redirect
        ("GET", "/api/budgets/status/"),
        ("GET", "/api/nowhere"),  # 404
        ("GET", "/api/openapi.json"),
        ("POST", "/api/auth/login"),  # 422: no body
    ],
)
def test_the_lazy_app_answers_as_the_eager_one(method: str, path: str) -> None:
    eager, lazy = app_for("aws", lazy=False), app_for("aws", lazy=True)
    with TestClient(eager) as e, TestClient(lazy) as c:
        want = e.request(method, path, follow_redirects=False)
        got = c.request(method, path, follow_redirects=False)
    assert (got.status_code, got.headers.get("location"), got.content) == (
        want.status_code, want.headers.get("location"), want.content,
    )  # fmt: skip
