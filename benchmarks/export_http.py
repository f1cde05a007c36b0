"""The v1 export over HTTP, end to end: `GET /api/expenses/export` from a real server (uvicorn,
as `expense-tracker serve` runs it) to a client that reads and counts every byte, with the
server's resident memory before and its peak after (VmHWM of the server process)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from tests.support.api import socket_api
from tests.support.server import running_server

from expense_tracker.adapters.local.wiring import DATABASE_FILE
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore

from .dataset import bulk_load


def _kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def _download(base_url: str, token: str, fmt: str) -> tuple[int, float]:
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{base_url}/api/expenses/export?format={fmt}"
    nbytes = 0
    t0 = time.perf_counter()
    with httpx.stream("GET", url, headers=headers, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
            nbytes += len(chunk)
    return nbytes, time.perf_counter() - t0


def measure(workdir: Path, rows: int) -> dict[str, dict[str, Any]]:
    """CSV and JSON of one user's `rows` expenses, each after a warm-up request."""
    data_dir = workdir / "export-http"
    with running_server(data_dir, env={"EXPENSE_TRACKER_RATE_PER_SECOND": "100000"}) as server:
        user = socket_api(server.base_url).new_user("bench-http-export")
        db = Database(data_dir / DATABASE_FILE)
        try:
            bulk_load(SqliteExpenseStore(db), user.user_id, rows, seed=29)
        finally:
            db.close()
        pid = server.process.pid
        figures: dict[str, dict[str, Any]] = {}
        for fmt in ("csv", "json"):
            rss_before = _kib(pid, "VmRSS")
            nbytes, seconds = _download(server.base_url, user.access_token, fmt)
            figures[fmt] = {
                "rows": rows,
                "bytes": nbytes,
                "seconds": seconds,
                "rss_before_kib": rss_before,
                "peak_rss_kib": _kib(pid, "VmHWM"),
            }
        user.client.close()
    return figures
