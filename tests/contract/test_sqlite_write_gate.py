"""The write gate: an import's background transactions give way to request writes, which
wait for one step of an import at most, and the import's rows all land all the same."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from expense_tracker.adapters.sqlite.db import FOREGROUND_RECENT_SECONDS, Database
from expense_tracker.adapters.sqlite.imports import (
    BUSY_STEP_SECONDS,
    STEP_SECONDS,
    SqliteImportLedger,
)
from expense_tracker.ports.imports import KeyedExpense

from .factories import make_expense, new_user


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "gate.sqlite3")
    database.connection().execute("CREATE TABLE log (who TEXT NOT NULL)")
    yield database
    database.close()


def wait_until(check: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.001)


def test_a_waiting_request_write_goes_before_a_background_write(db: Database) -> None:
    held, release = threading.Event(), threading.Event()

    def write(who: str, *, background: bool = False) -> None:
        with db.write(durable=not background, background=background) as conn:
            if who == "holder":
                held.set()
                release.wait(10)
            conn.execute("INSERT INTO log VALUES (?)", (who,))

    holder = threading.Thread(target=write, args=("holder",))
    holder.start()
    held.wait(10)
    request = threading.Thread(target=write, args=("request",))
    request.start()
    wait_until(db.foreground_waiting)
    assert db.foreground_waiting()
    importer = threading.Thread(target=write, args=("import",), kwargs={"background": True})
    importer.start()
    release.set()
    for thread in (holder, request, importer):
        thread.join(10)
    order = [r[0] for r in db.connection().execute("SELECT who FROM log ORDER BY rowid")]
    assert order == ["holder", "request", "import"]
    time.sleep(FOREGROUND_RECENT_SECONDS)  # requests come in runs: it says so a little longer
    assert not db.foreground_waiting()


def test_an_import_commits_after_each_step_while_requests_wait(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = new_user()
    rows = [KeyedExpense(f"k{i}", make_expense(user, amount=f"{i + 1}.00")) for i in range(250)]
    ledger = SqliteImportLedger(db)
    ledger._step = 100
    monkeypatch.setattr(ledger, "_resize", lambda *_: None)  # steps of 100 rows
    monkeypatch.setattr(db, "foreground_waiting", lambda: True)
    transactions = 0
    write = db.write

    def counted(**kwargs: bool) -> object:
        nonlocal transactions
        transactions += 1
        return write(**kwargs)

    monkeypatch.setattr(db, "write", counted)
    result = ledger.add_batch(user, "job1", rows)
    assert (result.added, result.duplicates) == (250, 0)
    assert transactions == 3  # 100 + 100 + 50, each committed at once
    stored = db.connection().execute("SELECT COUNT(*) FROM expenses WHERE user_id = ?", (user,))
    assert stored.fetchone()[0] == 250


def test_a_request_write_waiting_in_another_process_ends_a_background_write(
    tmp_path: Path,
) -> None:
    # Two Database objects on one file open their own lock files, as two processes do (the
    # server and its jobs worker process).
    worker, server = Database(tmp_path / "two.sqlite3"), Database(tmp_path / "two.sqlite3")
    worker.connection().execute("CREATE TABLE log (who TEXT NOT NULL)")
    done = threading.Event()

    def request() -> None:
        with server.write() as conn:
            conn.execute("INSERT INTO log VALUES ('request')")
        done.set()

    try:
        with worker.write(durable=False, background=True) as conn:
            conn.execute("INSERT INTO log VALUES ('import')")
            assert not worker.foreground_waiting()
            waiter = threading.Thread(target=request)
            waiter.start()
            wait_until(worker.foreground_waiting)
            assert worker.foreground_waiting()  # seen across the processes' boundary
            assert not done.is_set()
        waiter.join(10)
        assert done.is_set()
        time.sleep(FOREGROUND_RECENT_SECONDS)
        assert not worker.foreground_waiting()  # the flag went down with the wait
        rows = [r[0] for r in worker.connection().execute("SELECT who FROM log ORDER BY rowid")]
        assert rows == ["import", "request"]
    finally:
        worker.close()
        server.close()


def test_steps_shrink_to_a_few_ms_while_requests_write(db: Database) -> None:
    ledger = SqliteImportLedger(db)
    ledger._resize(1000, 0.01, busy=False)  # 100k rows/s: a quiet step of 20 ms is 2,000 rows
    assert ledger._step == int(1000 * STEP_SECONDS / 0.01)
    ledger._resize(1000, 0.01, busy=True)  # requests write: a step of 1 ms is 100 rows
    assert ledger._step == int(1000 * BUSY_STEP_SECONDS / 0.01)
    assert ledger._step < 1000 * STEP_SECONDS / 0.01 / 5


def test_a_background_step_syncs_its_log_pages_while_requests_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, server = Database(tmp_path / "two.sqlite3"), Database(tmp_path / "two.sqlite3")
    worker.connection().execute("CREATE TABLE log (who TEXT NOT NULL)")
    synced: list[bool] = []
    monkeypatch.setattr(worker, "_sync_log", lambda: synced.append(True))

    def request() -> None:
        with server.write() as conn:
            conn.execute("INSERT INTO log VALUES ('request')")

    try:
        with worker.write(durable=False, background=True) as conn:
            conn.execute("INSERT INTO log VALUES ('quiet')")
        assert synced == []  # nobody writes beside it: the checkpoint thread syncs later
        with worker.write(durable=False, background=True) as conn:
            conn.execute("INSERT INTO log VALUES ('busy')")
            waiter = threading.Thread(target=request)
            waiter.start()
            wait_until(worker.foreground_waiting)
        waiter.join(10)
        # so the request's durable commit flushes one step's pages, not the whole backlog
        assert synced == [True]
    finally:
        worker.close()
        server.close()
