"""Server throughput and latency on 127.0.0.1 with wrk, beside a bare ASGI hello-world served
by the same uvicorn, with the same worker count and the same wrk settings, in the same run."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from tests.support.api import socket_api
from tests.support.server import _die_with_parent, free_port, running_server

from .dataset import csv_bytes
from .plan import Plan
from .report import Section, count, ms, ratio, table
from .wrk import Request, WrkResult, run_wrk

REPO = Path(__file__).resolve().parents[1]
# The per-user limit (100/s) would turn a load test into a 429 test: raised for this run only.
UNLIMITED = {"EXPENSE_TRACKER_RATE_PER_SECOND": "1e9", "EXPENSE_TRACKER_RATE_BURST": "1000000000"}
ADD_BODY = json.dumps(
    {"amount": "12.50", "currency": "EUR", "category": "Food", "description": "wrk"}
)
HELLO = "hello-world ASGI (baseline)"
ADD_ALONE = "POST /api/expenses (add), 1 connection: not like for like"


@contextmanager
def hello_server(workers: int, workdir: Path) -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "benchmarks.hello_asgi:app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--no-proxy-headers", "--log-level", "info",  # as `expense-tracker serve` runs it
    ]  # fmt: skip
    with (workdir / "hello.log").open("ab") as log:
        process = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


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
        ("GET /api/health (no auth, no database)", Request("/api/health")),
        ("GET /api/expenses (a page of 50)", Request("/api/expenses?limit=50", token=token)),
        ("GET /api/expenses/{id}", Request(f"/api/expenses/{expense_id}", token=token)),
        (
            "GET /api/analytics/summary (a year)",
            Request("/api/analytics/summary?from=2025-01-01&to=2025-12-31", token=token),
        ),
        ("POST /api/expenses (add)", Request("/api/expenses", "POST", ADD_BODY, token)),
    ]
    _check(base_url, requests)
    return requests


def _check(base_url: str, requests: list[tuple[str, Request]]) -> None:
    """Each request once by hand: a load test of error answers would measure the wrong thing."""
    for label, r in requests:
        headers = {"Authorization": f"Bearer {r.token}"} if r.token else {}
        if r.body is not None:
            headers["Content-Type"] = "application/json"
        answer = httpx.request(r.method, base_url + r.path, content=r.body, headers=headers)
        if answer.status_code >= 300:
            raise RuntimeError(f"{label}: {answer.status_code} {answer.text[:200]}")


def collect(plan: Plan, workdir: Path) -> dict[str, WrkResult]:
    results: dict[str, WrkResult] = {}
    with hello_server(plan.workers, workdir) as url:
        results[HELLO + ", before"] = load(url, Request("/"), plan, workdir)
    with running_server(workdir / "server-data", workers=plan.workers, env=UNLIMITED) as server:
        for label, request in app_requests(server.base_url, plan.server_rows):
            print(f"  server: {label}", flush=True)
            results[label] = load(server.base_url, request, plan, workdir)
        # The same add without concurrency: is its tail the work, or the wait for the lock?
        results[ADD_ALONE] = load(server.base_url, request, plan, workdir, connections=1)
    with hello_server(plan.workers, workdir) as url:  # again: did the machine change meanwhile?
        results[HELLO + ", after"] = load(url, Request("/"), plan, workdir)
    return results


def _row(label: str, r: WrkResult, base: WrkResult) -> list[str]:
    errors = r.non_2xx_3xx + r.socket_errors
    return [
        label,
        f"{count(r.rate)} ({ratio(r.rate, base.rate)})",
        f"{ms(r.p50)} ({ratio(r.p50, base.p50)})",
        f"{ms(r.p99)} ({ratio(r.p99, base.p99)})",
        str(errors),
    ]


def _mean(a: WrkResult, b: WrkResult) -> WrkResult:
    return WrkResult(
        requests=a.requests + b.requests,
        seconds=a.seconds + b.seconds,
        non_2xx_3xx=0,
        socket_errors=0,
        p50=(a.p50 + b.p50) / 2,
        p99=(a.p99 + b.p99) / 2,
        max=max(a.max, b.max),
    )


def run(plan: Plan, workdir: Path) -> Section:
    results = collect(plan, workdir)
    base = _mean(results[HELLO + ", before"], results[HELLO + ", after"])
    section = Section("Server throughput and latency (wrk, 127.0.0.1)", data=results)
    for label, r in results.items():
        if label.startswith(("GET /api/expenses ", "POST")) and label != ADD_ALONE:
            section.headlines.append(
                f"Server, {label}: {count(r.rate)} requests/s ({ratio(r.rate, base.rate)} the "
                f"hello-world's), p50 {ms(r.p50)}, p99 {ms(r.p99)}."
            )
    section.add(
        f"`wrk -t{plan.wrk_threads} -c{plan.connections} -d{plan.wrk_seconds}s` per endpoint "
        f"after a {plan.wrk_warmup_seconds} s warm-up, against `expense-tracker serve --workers "
        f"{plan.workers}` (uvicorn with uvloop and httptools, access log on, SQLite with "
        f"synchronous=FULL) holding one user with {count(plan.server_rows)} expenses. Baseline: "
        "a bare ASGI hello-world (`benchmarks/hello_asgi.py`) on the same uvicorn, workers and "
        "wrk settings, run before and after the app; ratios are to the mean of those two runs "
        "(requests/s: below 1 is slower; latency: above 1 is slower). The per-user rate limit "
        "was raised for this run, or most answers would be 429.",
        table(
            ["endpoint", "requests/s (ratio)", "p50 (ratio)", "p99 (ratio)", "errors"],
            [_row(label, r, base) for label, r in results.items()],
        ),
        "`errors` counts non-2xx/3xx answers and socket errors (should be 0). Every request of "
        "the app's rows verifies a JWT (RS256) and, except health, reads SQLite; the add also "
        "commits a transaction with an fsync. The adds are serialised: the writers of one "
        "process queue on a lock in front of SQLite's write lock (BEGIN IMMEDIATE); before that "
        "lock they polled SQLite's busy handler, which sleeps in growing steps, and the "
        "16-connection add had a p99 of 837 ms. The 1-connection row is the add without any "
        f"queue: compare its p99 with the {plan.connections}-connection row's.",
    )
    return section
