"""Group commit: concurrent writes share a transaction, each in its own savepoint, so one
failing write undoes only itself and every caller returns only after the shared COMMIT."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.domain.errors import Conflict


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "group.sqlite3")
    database.connection().execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
    yield database
    database.close()


def insert(key: str) -> object:
    def work(conn: sqlite3.Connection) -> str:
        if key.startswith("bad"):
            conn.execute("INSERT INTO t VALUES (?)", (key,))  # written, then undone
            raise Conflict(f"{key} refused")
        conn.execute("INSERT INTO t VALUES (?)", (key,))
        return key

    return work


def keys(db: Database) -> list[str]:
    return [r[0] for r in db.connection().execute("SELECT k FROM t ORDER BY k")]


def test_a_grouped_write_returns_its_result_and_is_committed(db: Database) -> None:
    assert db.grouped(insert("a")) == "a"  # type: ignore[arg-type]
    other = Database(db.path)  # another connection sees it: committed
    assert keys(other) == ["a"]
    other.close()


def test_a_failing_write_undoes_only_itself(db: Database) -> None:
    with pytest.raises(Conflict):
        db.grouped(insert("bad-1"))  # type: ignore[arg-type]
    assert db.grouped(insert("b")) == "b"  # type: ignore[arg-type]
    assert keys(db) == ["b"]


def test_concurrent_writes_all_land_once_with_failures_isolated(db: Database) -> None:
    errors: list[str] = []
    results: list[object] = []
    start = threading.Barrier(32)

    def writer(i: int) -> None:
        key = f"bad-{i}" if i % 5 == 0 else f"k{i:02d}"
        start.wait()
        try:
            results.append(db.grouped(insert(key)))  # type: ignore[arg-type]
        except Conflict as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = sorted(f"k{i:02d}" for i in range(32) if i % 5)
    assert sorted(map(str, results)) == expected
    assert keys(db) == expected
    assert len(errors) == 7


def test_grouped_and_plain_writes_interleave(db: Database) -> None:
    with db.write() as conn:
        conn.execute("INSERT INTO t VALUES ('plain')")
    db.grouped(insert("grouped"))  # type: ignore[arg-type]
    assert keys(db) == ["grouped", "plain"]
