"""The fast lane (entrypoints/http/fast_reads.py) answers exactly as the FastAPI routes do:
each request is made with the lane and again with the lane passing everything on, and the
two answers (status, headers, body) must be the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from expense_tracker.config import Settings
from expense_tracker.entrypoints.http import fast_reads
from expense_tracker.entrypoints.http.app import create_app
from tests.support.api import PASSWORD

Answer = tuple[int, list[tuple[str, str]], bytes]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", public_url="http://testserver")
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        test_client.post("/api/auth/signup", json={"email": "a@example.com", "password": PASSWORD})
        tokens = test_client.post(
            "/api/auth/login", json={"email": "a@example.com", "password": PASSWORD}
        ).json()
        test_client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        for day, amount, category in [
            ("2025-01-03", "12.50", "Food"),
            ("2025-01-03", "3.10", "Transport"),
            ("2025-02-14", "40.00", "Food"),
            ("2024-12-31", "7.77", "Other"),
        ]:
            added = test_client.post(
                "/api/expenses",
                json={"amount": amount, "category": category, "date": day, "description": "x"},
            )
            assert added.status_code == 201, added.text
        yield test_client


def _answer(client: TestClient, url: str, headers: dict[str, str] | None) -> Answer:
    response = client.get(url, headers=headers)
    return response.status_code, list(response.headers.multi_items()), response.content


def both_ways(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, url: str, **headers: str
) -> tuple[Answer, Answer]:
    """(the lane's answer, the routes' answer) to the same request."""
    lane = _answer(client, url, headers or None)

    async def pass_on(
        self: fast_reads.FastReads, scope: Scope, receive: Receive, send: Send
    ) -> None:
        await self.app(scope, receive, send)

    with monkeypatch.context() as patched:
        patched.setattr(fast_reads.FastReads, "__call__", pass_on)
        routes = _answer(client, url, headers or None)
    return lane, routes


URLS = [
    "/api/health",
    "/api/expenses",
    "/api/expenses?limit=2",
    "/api/expenses?limit=1&limit=3",  # the last of repeated names wins
    "/api/expenses?from=2025-01-01&to=2025-01-31&category=%20Food%20",
    "/api/expenses?q=x&unknown=1",
    "/api/expenses?q=",
    "/api/expenses?from=2025-02-01&to=2025-01-01",  # 422 from the service
    "/api/expenses?cursor=not-a-cursor",
    "/api/expenses?limit=0",  # the routes' 422s
    "/api/expenses?limit=201",
    "/api/expenses?limit=abc",
    "/api/expenses?from=2025-02-30",
    "/api/expenses?from=20250101",
    "/api/expenses?q=" + "y" * 201,
    "/api/expenses?category=" + "c" * 65,
    "/api/analytics/summary",
    "/api/analytics/summary?from=2025-01-01&to=2025-12-31",
    "/api/analytics/summary?from=2025-01-01&to=2025-12-31&category=Food&q=x",
    "/api/analytics/summary?from=2025-12-31&to=2025-01-01",
    "/api/analytics/summary?to=2025-13-01",
]


@pytest.mark.parametrize("url", URLS)
def test_the_lane_answers_as_the_routes_do(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    lane, routes = both_ways(client, monkeypatch, url)
    assert lane == routes
    assert lane[0] in (200, 422)


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Basic abc", "Bearer not-a-token", "bearer not.a.token"],
)
def test_a_missing_or_bad_token_is_refused_alike(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, authorization: str
) -> None:
    for url in ("/api/expenses", "/api/analytics/summary?from=2025-01-01"):
        lane, routes = both_ways(client, monkeypatch, url, Authorization=authorization)
        assert lane == routes
        assert lane[0] == 401


def test_the_next_page_comes_alike(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    first = client.get("/api/expenses", params={"limit": 2}).json()
    assert first["next_cursor"]
    url = f"/api/expenses?limit=2&cursor={first['next_cursor']}"
    lane, routes = both_ways(client, monkeypatch, url)
    assert lane == routes
    assert len(client.get(url).json()["items"]) == 2


def test_plain_reads_never_reach_the_routes(client: TestClient) -> None:
    app: Any = client.app
    reached: list[str] = []

    async def routes(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["path"])
        await app(scope, receive, send)

    lane = TestClient(fast_reads.FastReads(routes, app.state.container))
    lane.headers["Authorization"] = client.headers["Authorization"]
    for url in URLS[:8] + URLS[16:18] + URLS[19:20]:
        assert lane.get(url).status_code in (200, 422)
    assert reached == []
    assert lane.get("/api/expenses?limit=0").status_code == 422
    assert lane.post("/api/expenses", json={}).status_code == 422
    # A summary's text search reads every match: the routes run it off the event loop.
    assert lane.get("/api/analytics/summary?q=x").status_code == 200
    assert reached == ["/api/expenses", "/api/expenses", "/api/analytics/summary"]
