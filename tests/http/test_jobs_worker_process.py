"""The local server runs its jobs in a worker process it starts and supervises
(adapters/local/job_process.py): the worker finishes what it claims, it never outlives the
server, and one killed mid-job is replaced by another that resumes the job, adding nothing twice
and losing nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from expense_tracker.adapters.local.job_process import worker_pid
from expense_tracker.adapters.local.wiring import DATABASE_FILE
from tests.support.api import Api, User, socket_api
from tests.support.jobs import wait_for_job
from tests.support.server import RunningServer, start_server

PATIENCE = 30.0


def wait_until(check: Callable[[], object], seconds: float = PATIENCE) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.005)


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its parent."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def current_worker(server: RunningServer, *, not_: int | None = None) -> int:
    """The pid of the server's live worker process (other than `not_`), once it has started."""
    found: list[int] = []

    def started() -> bool:
        pid = worker_pid(server.data_dir)
        if pid not in (None, not_) and alive(pid) and parent_of(pid) == server.process.pid:
            found.append(pid)
        return bool(found)

    wait_until(started)
    return found[0]


def statement(rows: int) -> bytes:
    lines = ["date,amount,currency,category,description"]
    lines += [
        f"2026-{1 + i % 12:02d}-{1 + i % 28:02d},{1 + i % 97}.25,EUR,Food,r{i}" for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def start_import(api: Api, user: User, data: bytes) -> str:
    created = user.client.post("/api/imports", json={"format": "csv", "size": len(data)}).json()
    ticket = created["upload"]
    with api.client() as anonymous:
        done = anonymous.post(
            urljoin(api.base_url, ticket["url"]),
            data=ticket["fields"],
            files={"file": ("statement", data, ticket["fields"]["Content-Type"])},
        )
    assert done.status_code in (200, 204), done.text
    started = user.client.post(f"/api/imports/{created['id']}/start")
    assert started.status_code == 202, started.text
    return str(created["id"])


def stored(data_dir: Path) -> tuple[int, int]:
    """Expenses and import keys in the database (one user imports in each test)."""
    with sqlite3.connect(data_dir / DATABASE_FILE) as conn:
        expenses = conn.execute("SELECT count(*) FROM expenses").fetchone()[0]
        keys = conn.execute("SELECT count(*) FROM import_keys").fetchone()[0]
    return int(expenses), int(keys)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    running = start_server(tmp_path / "data")
    yield running
    running.stop()


@pytest.fixture
def importer(server: RunningServer) -> Iterator[tuple[Api, User]]:
    api = socket_api(server.base_url)
    user = api.new_user("importer")
    yield api, user
    user.client.close()


def test_an_import_is_finished_by_the_worker_process_not_the_server(
    server: RunningServer, importer: tuple[Api, User]
) -> None:
    api, user = importer
    worker = current_worker(server)
    assert worker != server.process.pid
    job_id = start_import(api, user, statement(50))
    job: dict[str, Any] = wait_for_job(user.client, f"/api/imports/{job_id}")
    assert (job["status"], job["imported"]) == ("done", 50)
    assert stored(server.data_dir) == (50, 50)
    assert worker_pid(server.data_dir) == worker  # the same process ran it, and lives on


@pytest.mark.parametrize("end", ["stop", "kill"])
def test_the_worker_process_ends_with_the_server(server: RunningServer, end: str) -> None:
    worker = current_worker(server)
    if end == "stop":
        server.stop()
    else:
        server.kill()  # SIGKILL: the worker sees its input closed by the kernel
    wait_until(lambda: not alive(worker))
    assert not alive(worker)


def test_a_killed_worker_is_replaced_and_its_import_resumes_without_loss_or_duplicates(
    server: RunningServer, importer: tuple[Api, User]
) -> None:
    rows = 20_000
    api, user = importer
    first = current_worker(server)
    job_id = start_import(api, user, statement(rows))
    path = f"/api/imports/{job_id}"
    wait_until(lambda: user.client.get(path).json()["status"] != "queued")
    assert user.client.get(path).json()["status"] == "running"  # killed mid-job, not after
    os.kill(first, signal.SIGKILL)
    second = current_worker(server, not_=first)
    assert not alive(first)
    job = wait_for_job(user.client, path)
    assert (job["status"], job["imported"], job["duplicates"]) == ("done", rows, 0)
    assert stored(server.data_dir) == (rows, rows)
    assert worker_pid(server.data_dir) == second  # the replacement finished it
    assert server.process.poll() is None  # the server itself never noticed


def catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM (Linux: SigCgt in /proc/PID/status)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))


def test_a_worker_stopped_while_it_imports_ends_cleanly() -> None:
    # A server stopped at once sends SIGTERM while the worker still imports the app. Raised
    # there, the exit once aborted pydantic-core's import with a panic (seen once in the install
    # bench; not reproducible at will): the worker now stops only after its imports.
    worker = subprocess.Popen(
        [sys.executable, "-m", "expense_tracker.entrypoints.job_worker"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Once its handler is set (its first step; on a loaded machine the interpreter itself
    # may take longer than a fixed sleep, and SIGTERM then killed it before main ran).
    wait_until(lambda: catches_sigterm(worker.pid))
    worker.send_signal(signal.SIGTERM)
    _, err = worker.communicate(timeout=PATIENCE)
    assert worker.returncode == 0, err.decode()
    assert b"panicked" not in err and b"Traceback" not in err
