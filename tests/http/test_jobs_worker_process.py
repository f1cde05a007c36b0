"""The local server runs its jobs in a worker process it starts and supervises
(adapters/local/job_process.py): the worker finishes what it claims, it never outlives the
server, and one killed mid-job is replaced by another that resumes the job, adding nothing twice
and losing nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from expense_tracker.adapters.local.job_process import worker_pid
from expense_tracker.adapters.local.wiring import DATABASE_FILE
from tests.support.api import Api, User, socket_api
from tests.support.imports import start_import
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
    job_id = start_import(api, user, statement(50))["id"]
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


@pytest.mark.parametrize(
    ("end", "status"),
    [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, 0)],  # SIGTERM: checkpoints, exits 0
    ids=["kill", "term"],
)
def test_a_worker_ended_mid_job_is_replaced_and_its_import_resumes_without_loss_or_duplicates(
    server: RunningServer, importer: tuple[Api, User], end: signal.Signals, status: int
) -> None:
    rows = 20_000
    api, user = importer
    first = current_worker(server)
    job_id = start_import(api, user, statement(rows))["id"]
    path = f"/api/imports/{job_id}"
    wait_until(lambda: user.client.get(path).json()["status"] != "queued")
    assert user.client.get(path).json()["status"] == "running"  # killed mid-job, not after
    os.kill(first, end)
    # Apart, each with its patience: a SIGTERM lets the job's step finish and checkpoint first
    # (up to SqliteJobs.stop's 10 s), and the replacement imports the app, niced, on a busy box.
    wait_until(lambda: not alive(first))
    second = current_worker(server, not_=first)
    assert f"process (pid {first}) ended ({status})" in server.log(), server.log()[-3000:]
    job = wait_for_job(user.client, path)
    assert (job["status"], job["imported"], job["duplicates"]) == ("done", rows, 0), job
    assert stored(server.data_dir) == (rows, rows)
    assert worker_pid(server.data_dir) == second  # the replacement finished it
    assert server.process.poll() is None  # the server itself never noticed


# Runs the worker as `python -m` does, with SIGTERM sent to it at a known point of its imports
# (the start of pydantic-core's native part, deep inside the app's imports), then tells which
# of the modules its main() imports are complete in sys.modules as it exits.
MID_IMPORT_PROBE = """
import json, os, runpy, signal, sys
TRIP = "pydantic_core._pydantic_core"
MAIN_IMPORTS = [TRIP, "expense_tracker.adapters.local.job_process", "expense_tracker.bootstrap"]
class SigtermAt:
    sent = False
    def find_spec(self, name, path=None, target=None):
        if name == TRIP and not self.sent:
            self.sent = True
            os.kill(os.getpid(), signal.SIGTERM)
        return None  # the usual finders import it
trip = SigtermAt()
sys.meta_path.insert(0, trip)
try:
    runpy.run_module("expense_tracker.entrypoints.job_worker", run_name="__main__")
finally:
    complete = [name for name in MAIN_IMPORTS if name in sys.modules]
    print(json.dumps({"sent": trip.sent, "complete": complete}), flush=True)
"""


def test_a_sigterm_during_the_workers_imports_interrupts_none_and_stops_it_after() -> None:
    # A server stopped at once sends SIGTERM while the worker still imports the app. Raised
    # there, the exit once aborted pydantic-core's import with a panic (seen once in the install
    # bench; not reproducible at will): the worker notes it and stops once its imports are
    # done, reading no Settings. Raised into the import instead, the interrupted modules would
    # be missing from sys.modules; not handled, the signal would end the process (-15).
    done = subprocess.run(
        [sys.executable, "-c", MID_IMPORT_PROBE],
        stdin=subprocess.DEVNULL,  # a worker that went on would fail to read its Settings
        capture_output=True,
        timeout=PATIENCE,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert b"panicked" not in done.stderr and b"Traceback" not in done.stderr
    report = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert report == {
        "sent": True,
        "complete": [
            "pydantic_core._pydantic_core",
            "expense_tracker.adapters.local.job_process",
            "expense_tracker.bootstrap",
        ],
    }
