"""Durability of the local server: a SIGKILL mid-write loses no acknowledged expense, and two
worker processes share the SQLite file without errors."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from expense_tracker.adapters.local.wiring import DATABASE_FILE
from tests.support.api import socket_api
from tests.support.server import RunningServer, start_server

WRITERS = 6
ACKNOWLEDGED_BEFORE_KILL = 120
# Rate limits are tested elsewhere; here a 429 would only stand between a writer and the disk.
UNLIMITED = {"EXPENSE_TRACKER_RATE_PER_SECOND": "100000", "EXPENSE_TRACKER_RATE_BURST": "100000"}

pytestmark = pytest.mark.slow


def body_for(key: str) -> dict[str, str]:
    return {"amount": "1.25", "currency": "EUR", "category": "Crash", "description": key}


@dataclass
class Storm:
    """Writers that post expenses with Idempotency-Keys until the server stops answering."""

    base_url: str
    token: str
    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> expense id
    unacknowledged: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    enough: threading.Event = field(default_factory=threading.Event)

    def write(self, writer: int) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=10) as client:
            for n in range(100_000):
                key = f"w{writer}-{n}"
                try:
                    response = client.post(
                        "/api/expenses", json=body_for(key), headers={"Idempotency-Key": key}
                    )
                except httpx.HTTPError:
                    with self.lock:
                        self.unacknowledged.add(key)
                    return
                assert response.status_code == 201, response.text
                with self.lock:
                    self.acknowledged[key] = response.json()["id"]
                    if len(self.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                        self.enough.set()


def run_threads(count: int, target: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            target(index)
        except BaseException as exc:  # reported by the test, not lost in a thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def integrity(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / DATABASE_FILE) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def all_expenses(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 200, "category": "Crash"}
    while True:
        page = client.get("/api/expenses", params=params).json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        params["cursor"] = page["next_cursor"]


def kill_with_workers(server: RunningServer) -> None:
    """SIGKILL to the worker processes, then to the server that started them, as a crash of
    the machine's processes would (a worker left running would keep answering)."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(child), signal.SIGKILL)
    server.kill()


# Two workers: each process commits its own groups, taking turns on the file's writer lock.
@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_mid_storm_loses_no_acknowledged_expense(data_dir: Path, workers: int) -> None:
    server = start_server(data_dir, workers=workers, env=UNLIMITED)
    user = socket_api(server.base_url).new_user("crash")
    storm = Storm(server.base_url, user.access_token)

    def kill_mid_storm() -> None:
        storm.enough.wait(60)
        kill_with_workers(server)  # SIGKILL while the writers are still writing

    killer = threading.Thread(target=kill_mid_storm)
    killer.start()
    errors = run_threads(WRITERS, storm.write)
    killer.join()
    assert errors == []
    assert len(storm.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    assert len(storm.unacknowledged) == WRITERS  # the kill cut every writer off mid-request
    assert integrity(data_dir) == "ok"

    restarted = start_server(data_dir, env=UNLIMITED)
    try:
        check_after_restart(restarted, storm, user.access_token)
    finally:
        restarted.stop()
    assert integrity(data_dir) == "ok"


def check_after_restart(server: RunningServer, storm: Storm, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        survived = all_expenses(client)
        by_key = {e["description"]: e["id"] for e in survived}
        assert len(by_key) == len(survived), "a key was written twice"
        for key, expense_id in storm.acknowledged.items():
            assert by_key.get(key) == expense_id, f"acknowledged {key} is lost"
        assert set(by_key) <= set(storm.acknowledged) | storm.unacknowledged
        # A client retries whatever it is unsure of: each key then exists exactly once.
        for key in sorted(set(storm.acknowledged) | storm.unacknowledged):
            retry = client.post(
                "/api/expenses", json=body_for(key), headers={"Idempotency-Key": key}
            )
            assert retry.status_code == 201, retry.text
            if key in storm.acknowledged:
                assert retry.json()["id"] == storm.acknowledged[key]
        final = all_expenses(client)
    keys = [e["description"] for e in final]
    assert sorted(keys) == sorted(set(storm.acknowledged) | storm.unacknowledged)


def test_two_workers_write_at_once_without_errors(data_dir: Path) -> None:
    server = start_server(data_dir, workers=2, env=UNLIMITED)
    try:
        users = [socket_api(server.base_url).new_user("worker") for _ in range(3)]
        answers: list[httpx.Response] = []
        lock = threading.Lock()

        def work(index: int) -> None:
            user = users[index % len(users)]
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                client.headers["Authorization"] = f"Bearer {user.access_token}"
                for response in write_burst(client, index):
                    with lock:
                        answers.append(response)

        errors = run_threads(8, work)
        log = server.log()
    finally:
        server.stop()
    assert errors == []
    assert len(answers) == 8 * 30 * 3
    failed = [(a.request.method, a.status_code, a.text) for a in answers if a.status_code >= 400]
    assert failed == []
    assert all("database is locked" not in a.text for a in answers)
    assert "database is locked" not in log
    assert log.count("Started server process") == 2  # two workers did the writing
    assert "Traceback" not in log
    assert integrity(data_dir) == "ok"


def write_burst(client: httpx.Client, index: int) -> list[httpx.Response]:
    """Create, change (a read-then-write) and list, over and over."""
    answers = []
    for n in range(30):
        created = client.post("/api/expenses", json=body_for(f"t{index}-{n}"))
        answers.append(created)
        expense_id = created.json().get("id", "missing")
        answers.append(client.patch(f"/api/expenses/{expense_id}", json={"amount": "2.50"}))
        answers.append(client.get("/api/expenses", params={"limit": 20}))
    return answers
