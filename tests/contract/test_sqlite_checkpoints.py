"""WAL checkpoints run in their own thread (adapters/sqlite/checkpointer.py), never inside a
writer's COMMIT: not a request's add, which would copy and fsync an import's log before
answering, nor an import's step, which holds the writer lock that requests wait for."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from expense_tracker.adapters.sqlite.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "wal.sqlite3")
    database.connection().execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    yield database
    database.close()


def fill(db: Database, transactions: int) -> None:
    """~0.5 MB a transaction, as an import's steps (not fsynced, giving way to requests)."""
    for _ in range(transactions):
        with db.write(durable=False, background=True) as conn:
            conn.executemany("INSERT INTO t (v) VALUES (?)", [("x" * 500,) for _ in range(1000)])


def size(path: str) -> int:
    return Path(path).stat().st_size


def test_no_connection_checkpoints_in_its_commit(db: Database) -> None:
    assert db.connection().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0


def test_commits_past_a_thousand_pages_leave_the_log_to_the_thread(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkpoints = db._checkpoints
    assert checkpoints is not None
    monkeypatch.setattr(checkpoints, "poke", lambda: None)  # the thread is not told
    fill(db, 20)  # ~10 MB; SQLite's own checkpoint runs in a COMMIT past 1,000 pages (4 MB)
    db.grouped(lambda conn: conn.execute("INSERT INTO t (v) VALUES ('request')"))
    # A commit that checkpointed would have copied the log into the database file, and the
    # next one would have started the log again from its start: neither happened.
    assert size(db.path + "-wal") > 8_000_000
    assert size(db.path) < 1_000_000


def test_the_thread_copies_the_log_soon_after_writes(db: Database) -> None:
    checkpoints = db._checkpoints
    assert checkpoints is not None
    fill(db, 10)
    deadline = time.monotonic() + 10
    while size(db.path) < 4_000_000 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpoints.runs >= 1
    assert size(db.path) > 4_000_000  # the rows are in the database file itself
