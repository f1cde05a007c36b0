"""A large import running in a local server's jobs worker, and what it costs everyone else:
GET /api/health and another user's add (POST /api/expenses), each sampled while the server is
idle (the baseline) and again while the import runs; p50 and p99 of each."""

from __future__ import annotations

import itertools
import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from tests.support.api import Api, User, socket_api
from tests.support.server import running_server

from .dataset import csv_bytes
from .throughput import UNLIMITED

IDLE_SAMPLES = 1000
POLL_SECONDS = 0.25  # how often the sampler asks for the import's progress
QUICK_ROWS = 100_000  # the quick mode's file (the full run imports 500,000)


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest sample at or above `share` of them."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p99": percentile(values, 0.99),
        "max": max(values),
    }


def timed(call: Callable[[], httpx.Response]) -> float:
    t0 = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - t0
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return elapsed


def probes(server_url: str, bystander: User) -> tuple[Callable[[], float], Callable[[], float]]:
    health = httpx.Client(base_url=server_url, timeout=60)
    amounts = itertools.count(1)

    def body() -> dict[str, str]:
        # Each its own amount, as in the throughput section: the same lunch again and again
        # would be a possible duplicate each time, and measure the alert's writes besides.
        cents = next(amounts)
        return {
            "amount": f"{cents // 100}.{cents % 100:02d}",
            "currency": "EUR",
            "category": "Food",
            "description": "lunch",
        }

    return (
        lambda: timed(lambda: health.get("/api/health")),
        lambda: timed(lambda: bystander.client.post("/api/expenses", json=body())),
    )


def upload(api: Api, user: User, data: bytes) -> str:
    created = user.client.post("/api/imports", json={"format": "csv", "size": len(data)}).json()
    fields = created["upload"]["fields"]
    with api.client() as anonymous:
        done = anonymous.post(
            urljoin(api.base_url, created["upload"]["url"]),
            data=fields,
            files={"file": ("statement", data, fields["Content-Type"])},
        )
    if done.status_code not in (200, 204):
        raise RuntimeError(f"upload: {done.status_code} {done.text}")
    return str(created["id"])


def during_import(
    user: User, job_id: str, health: Callable[[], float], add: Callable[[], float]
) -> dict[str, Any]:
    """Start the import, then sample health and the other user's add until it is done."""
    busy_health: list[float] = []
    busy_add: list[float] = []
    t0 = time.perf_counter()
    user.client.post(f"/api/imports/{job_id}/start").raise_for_status()
    next_poll, job = t0, {"status": "queued"}
    while job["status"] not in ("done", "failed"):
        busy_health.append(health())
        busy_add.append(add())
        if time.perf_counter() >= next_poll:
            job = user.client.get(f"/api/imports/{job_id}").json()
            next_poll = time.perf_counter() + POLL_SECONDS
    seconds = time.perf_counter() - t0
    if job["status"] != "done":
        raise RuntimeError(f"the import failed: {job}")
    return {"seconds": seconds, "job": job, "health": busy_health, "add": busy_add}


def measure(rows: int, workdir: Path) -> dict[str, Any]:
    data = csv_bytes(rows, seed=17)
    # Unlimited as in the throughput section: the bystander adds faster than a person would.
    with running_server(workdir / "concurrency-data", env=UNLIMITED) as server:
        api = socket_api(server.base_url)
        importer, bystander = api.new_user("importer"), api.new_user("bystander")
        health, add = probes(server.base_url, bystander)
        idle_health = [health() for _ in range(IDLE_SAMPLES)]
        idle_add = [add() for _ in range(IDLE_SAMPLES)]
        job_id = upload(api, importer, data)
        busy = during_import(importer, job_id, health, add)
    return {
        "rows": rows,
        "bytes": len(data),
        "seconds": busy["seconds"],
        "imported": busy["job"]["imported"],
        "health": {"idle": summary(idle_health), "busy": summary(busy["health"])},
        "add": {"idle": summary(idle_add), "busy": summary(busy["add"])},
    }


def main() -> None:
    """Quick mode, to iterate: `python -m benchmarks.import_concurrency [ROWS]` (default
    100,000 rows), the figures as JSON on stdout."""
    import json
    import sys
    import tempfile

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else QUICK_ROWS
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(measure(rows, Path(folder)), indent=1))


if __name__ == "__main__":
    main()
