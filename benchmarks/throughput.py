"""Server throughput and latency on 127.0.0.1 with wrk, each beside a bare ASGI hello-world on
the same server, worker count and wrk settings, in the same run: the app on uvicorn with one
worker and with two, and on granian (tried against uvicorn; the faster is the one `serve` uses).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from tests.support.api import socket_api
from tests.support.server import running_server

from .dataset import csv_bytes
from .plan import Plan
from .report import Section
from .servers import GRANIAN, UVICORN, app_on_granian, hello
from .throughput_report import Runs, render
from .wrk import Request, WrkResult, run_wrk

# The per-user limit (100/s) would turn a load test into a 429 test: raised for this run only.
UNLIMITED = {"EXPENSE_TRACKER_RATE_PER_SECOND": "1e9", "EXPENSE_TRACKER_RATE_BURST": "1000000000"}
# "{n}": a counter per request (wrk.py), so no add is a possible duplicate of the one before.
ADD_BODY = json.dumps(
    {"amount": "{n}", "currency": "EUR", "category": "Food", "description": "wrk"}
)
HELLO = "hello-world ASGI (baseline)"
HEALTH = "GET /api/health (no auth, no database)"
PAGE = "GET /api/expenses (a page of 50)"
ONE = "GET /api/expenses/{id}"
SUMMARY = "GET /api/analytics/summary (a year)"
ADD = "POST /api/expenses (add, synchronous=FULL)"
ADD_ALONE = "POST /api/expenses (add), 1 connection: not like for like"


def load(
    base_url: str, request: Request, plan: Plan, workdir: Path, connections: int | None = None
) -> WrkResult:
    for seconds in (plan.wrk_warmup_seconds, plan.wrk_seconds):  # the warm-up's are dropped
        result = run_wrk(
            base_url,
            request,
            seconds=seconds,
            connections=connections or plan.connections,
            threads=plan.wrk_threads,
            workdir=workdir,
        )
    return result


def app_requests(base_url: str, rows: int) -> list[tuple[str, Request]]:
    """A user with `rows` expenses (imported over HTTP), and the requests to load-test."""
    user = socket_api(base_url).new_user("bench")
    with user.client as client:
        answer = client.post(
            "/api/expenses/import",
            content=csv_bytes(rows, seed=3),
            headers={"content-type": "text/csv"},
        )
        answer.raise_for_status()
        expense_id = client.get("/api/expenses", params={"limit": 1}).json()["items"][0]["id"]
    token = user.access_token
    requests = [
        (HEALTH, Request("/api/health")),
        (PAGE, Request("/api/expenses?limit=50", token=token)),
        (ONE, Request(f"/api/expenses/{expense_id}", token=token)),
        (SUMMARY, Request("/api/analytics/summary?from=2025-01-01&to=2025-12-31", token=token)),
        (ADD, Request("/api/expenses", "POST", ADD_BODY, token)),
    ]
    _check(base_url, requests)
    return requests


def _check(base_url: str, requests: list[tuple[str, Request]]) -> None:
    """Each request once by hand: a load test of error answers would measure the wrong thing."""
    for label, r in requests:
        headers = {"Authorization": f"Bearer {r.token}"} if r.token else {}
        if r.body is not None:
            headers["Content-Type"] = "application/json"
        body = r.body.replace("{n}", "99") if r.body else None
        answer = httpx.request(r.method, base_url + r.path, content=body, headers=headers)
        if answer.status_code >= 300:
            raise RuntimeError(f"{label}: {answer.status_code} {answer.text[:200]}")


def _load_all(
    runs: Runs, config: str, url: str, requests: list[tuple[str, Request]], plan: Plan, wd: Path
) -> None:
    for label, request in requests:
        print(f"  server, {config}: {label}", flush=True)
        runs[config][label] = load(url, request, plan, wd)


def collect(plan: Plan, workdir: Path) -> Runs:
    one, two = plan.workers, 2 * plan.workers
    runs: Runs = {f"{UVICORN} ×{one}": {}, f"{UVICORN} ×{two}": {}, f"{GRANIAN} ×{one}": {}}
    uvicorn_one, uvicorn_two, granian_one = runs
    with hello(UVICORN, one, workdir) as url:
        runs[uvicorn_one][HELLO + ", before"] = load(url, Request("/"), plan, workdir)
    data = workdir / "server-data"
    with running_server(data, workers=one, env=UNLIMITED, timeout=300) as server:
        requests = app_requests(server.base_url, plan.server_rows)
        _load_all(runs, uvicorn_one, server.base_url, requests, plan, workdir)
        # The same add without concurrency: is its tail the work, or the wait for the lock?
        add = requests[-1][1]
        runs[uvicorn_one][ADD_ALONE] = load(server.base_url, add, plan, workdir, connections=1)
    with hello(UVICORN, two, workdir) as url:
        runs[uvicorn_two][HELLO] = load(url, Request("/"), plan, workdir)
    with running_server(data, workers=two, env=UNLIMITED, timeout=300) as server:
        _load_all(runs, uvicorn_two, server.base_url, requests, plan, workdir)
    with hello(GRANIAN, one, workdir) as url:
        runs[granian_one][HELLO] = load(url, Request("/"), plan, workdir)
    with app_on_granian(data, one, workdir, UNLIMITED) as url:
        _load_all(runs, granian_one, url, requests, plan, workdir)
    with hello(UVICORN, one, workdir) as url:  # again: did the machine change meanwhile?
        runs[uvicorn_one][HELLO + ", after"] = load(url, Request("/"), plan, workdir)
    return runs


def run(plan: Plan, workdir: Path) -> Section:
    return render(collect(plan, workdir), plan)
