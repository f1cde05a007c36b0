"""The fast lane (entrypoints/http/fast_reads.py) answers exactly as the FastAPI routes do:
each request is made with the lane and again with the lane passing everything on, and the
two answers (status, headers, body) must be the same."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from expense_tracker.entrypoints.http import fast_reads, read_params
from expense_tracker.services.summary import summarize_expenses
from tests.support.in_process import signed_in_client

Answer = tuple[int, list[tuple[str, str]], bytes]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with signed_in_client(tmp_path) as test_client:
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


def test_one_expense_is_read_alike(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    expense_id = client.get("/api/expenses", params={"limit": 1}).json()["items"][0]["id"]
    for url in (
        f"/api/expenses/{expense_id}",
        f"/api/expenses/{expense_id}?unknown=1",
        f"/api/expenses/{expense_id.lower()}",  # not this user's (nobody's): 404
        "/api/expenses/01JDX3AAAAAAAAAAAAAAAAAAAA",
        "/api/expenses/" + "a" * 65,  # the routes' 404 (services.expenses.known_id)
        "/api/expenses/a-b",
        "/api/expenses/import",
    ):
        lane, routes = both_ways(client, monkeypatch, url)
        assert lane == routes
        assert lane[0] in (200, 404)
    lane, _ = both_ways(client, monkeypatch, f"/api/expenses/{expense_id}")
    assert lane[0] == 200
    assert (("etag", '"1"')) in lane[1]


def _post(client: TestClient, body: bytes, headers: dict[str, str]) -> Answer:
    response = client.post("/api/expenses", content=body, headers=headers)
    return response.status_code, list(response.headers.multi_items()), response.content


def adds_both_ways(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, body: bytes, **headers: str
) -> tuple[Answer, Answer]:
    """(the lane's answer, the routes' answer) to the same add."""
    headers = {"content-type": "application/json", **headers}
    lane = _post(client, body, headers)

    async def pass_on(
        self: fast_reads.FastReads, scope: Scope, receive: Receive, send: Send
    ) -> None:
        await self.app(scope, receive, send)

    with monkeypatch.context() as patched:
        patched.setattr(fast_reads.FastReads, "__call__", pass_on)
        routes = _post(client, body, headers)
    return lane, routes


VOLATILE = {"location", "content-length"}  # the new id; the clock's digits


def _stable(answer: Answer) -> tuple[int, list[tuple[str, str]], Any]:
    """An add's answer without what differs between two adds: its id and timestamps."""
    status, headers, body = answer
    parsed = json.loads(body)
    for name in ("id", "created_at", "updated_at"):
        parsed.pop(name)
    return status, [(k, v) for k, v in headers if k not in VOLATILE], parsed


ADDS = [
    {"amount": "5.00", "category": "Food"},
    {"amount": "7.25", "currency": "USD", "category": " Travel ", "description": "taxi"},
    {"amount": 12.5, "category": "Food", "date": "2025-03-01", "userId": "someone-else"},
    {"amount": 3, "currency": "JPY", "category": "Food", "description": "", "user_id": None},
    {"amount": "5.00", "category": "Food", "currency": None, "date": None},  # the defaults
]
REFUSED = [
    b'{"amount": "5.00", "category": "Food", "colour": "red"}',  # the model's 422s
    b'{"amount": "5.001", "currency": "EUR", "category": "Food"}',  # the domain's 422
    b'{"amount": "5.00", "category": "Food", "date": "2025-02-30"}',
    b'{"amount": "5", "category": "   "}',
    b'{"amount": true, "category": "Food"}',
    b'{"amount": "0", "category": "Food"}',
    b'{"amount": "5.00", "category": "Food", "scan_id": "nope"}',  # the scan flow's 404
    b'{"amount": "5.00", "category": "Food", "amount": "6.00"}',  # a repeated key
    b'["amount"]',
    b"{not json",
    b"",
]


@pytest.mark.parametrize("body", ADDS)
def test_an_add_is_answered_alike(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, body: dict[str, Any]
) -> None:
    lane, routes = adds_both_ways(client, monkeypatch, json.dumps(body).encode())
    assert lane[0] == 201
    assert _stable(lane) == _stable(routes)
    for _, headers, content in (lane, routes):
        location = dict(headers)["location"]
        assert location == f"/api/expenses/{json.loads(content)['id']}"
        assert client.get(location).json() == json.loads(content)  # stored as answered


@pytest.mark.parametrize("body", REFUSED)
def test_a_refused_add_is_refused_alike(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, body: bytes
) -> None:
    lane, routes = adds_both_ways(client, monkeypatch, body)
    assert lane == routes
    assert lane[0] in (404, 422)


@pytest.mark.parametrize(
    "headers",
    [
        {"authorization": ""},
        {"authorization": "Bearer not-a-token"},
        {"content-type": "text/plain"},
        {"content-type": "application/json; charset=utf-8"},
        {"idempotency-key": ""},
        {"idempotency-key": "k" * 256},
    ],
)
def test_an_add_with_odd_headers_is_answered_alike(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, headers: dict[str, str]
) -> None:
    body = b'{"amount": "5.00", "category": "Food"}'
    lane, routes = adds_both_ways(client, monkeypatch, body, **headers)
    if lane[0] == 201:
        assert _stable(lane) == _stable(routes)
    else:
        assert lane == routes
        assert lane[0] in (401, 415, 422)


def test_an_idempotent_replay_is_the_first_answer_on_either_way(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b'{"amount": "9.99", "category": "Food"}'
    lane, routes = adds_both_ways(client, monkeypatch, body, **{"idempotency-key": "k-1"})
    assert lane[0] == 201
    assert lane == routes  # the routes replayed the lane's add: the same id, nothing added
    other = b'{"amount": "1.00", "category": "Food"}'
    lane, routes = adds_both_ways(client, monkeypatch, other, **{"idempotency-key": "k-1"})
    assert lane == routes
    assert lane[0] == 422
    listed = client.get("/api/expenses", params={"limit": 200}).json()["items"]
    assert [e["amount"] for e in listed].count("9.99") == 1


def test_plain_adds_and_one_expense_never_reach_the_routes(client: TestClient) -> None:
    app: Any = client.app
    reached: list[str] = []

    async def routes(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(scope["path"])
        await app(scope, receive, send)

    lane = TestClient(fast_reads.FastReads(routes, app.state.container))
    lane.headers["Authorization"] = client.headers["Authorization"]
    added = lane.post("/api/expenses", json={"amount": "1.50", "category": "Food"})
    assert added.status_code == 201
    assert lane.get(added.headers["location"]).json() == added.json()
    assert lane.get("/api/expenses/01JDX3AAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert reached == []
    assert lane.post("/api/expenses", json={"amount": "1.50"}).status_code == 422
    assert reached == ["/api/expenses"]


def test_a_wide_summary_is_read_in_a_worker_thread(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []

    def recording(**kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return summarize_expenses(**kwargs)

    monkeypatch.setattr(f"{read_params.__name__}.summarize_expenses", recording)
    queries = (
        "from=2025-01-01&to=2025-01-31",
        "from=2024-01-01&to=2024-12-31",
        "from=2024-01-01&to=2025-01-02",
        "",
    )
    for query in queries:
        assert client.get(f"/api/analytics/summary?{query}").status_code == 200
    month, leap_year, past_a_year, all_time = threads
    assert "fast-lane" not in month  # up to a year: on the loop
    assert "fast-lane" not in leap_year
    assert "fast-lane" in past_a_year
    assert "fast-lane" in all_time
