"""Group commit: concurrent writes share a transaction, each in its own savepoint, so one
failing write undoes only itself and every caller returns only after the shared COMMIT."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.group_commit import Bulk
from expense_tracker.domain.errors import Conflict, StorageError

T = TypeVar("T")


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


def insert_all(conn: sqlite3.Connection, batch: list[str]) -> list[str]:
    """The Bulk run of `insert`: one executemany (a bad key makes it fail as a whole)."""
    conn.executemany("INSERT INTO t VALUES (?)", [(k,) for k in batch])
    if any(k.startswith("bad") for k in batch):
        raise Conflict("a bad key in the batch")
    return batch


def held_elsewhere(db: Database) -> Database:
    """Another handle on the file: its write holds the cross-process writer lock (flock)."""
    return Database(db.path)


def test_writes_queued_behind_the_lock_share_one_commit_and_wait_for_it(db: Database) -> None:
    other = held_elsewhere(db)
    results: list[object] = []

    def write(key: str) -> None:
        results.append(db.grouped(insert(key)))  # type: ignore[arg-type]

    writers = [threading.Thread(target=write, args=(k,)) for k in ("a", "b", "c", "d", "e", "f")]
    with other.write():
        for w in writers:
            w.start()
        for w in writers:
            w.join(timeout=0.5)
        # Nobody is answered while their commit cannot happen.
        assert results == [] and all(w.is_alive() for w in writers)
    for w in writers:
        w.join()
    assert sorted(map(str, results)) == ["a", "b", "c", "d", "e", "f"]
    assert keys(other) == ["a", "b", "c", "d", "e", "f"]
    assert max(db.commit_groups()) >= 2  # they queued meanwhile and shared a commit
    other.close()


def test_a_bad_write_in_a_bulk_run_fails_alone_and_its_neighbours_commit(db: Database) -> None:
    other = held_elsewhere(db)
    outcomes: dict[str, object] = {}

    def write(key: str) -> None:
        try:
            outcomes[key] = db.grouped(insert(key), Bulk(insert_all, key))  # type: ignore[arg-type]
        except Conflict as exc:
            outcomes[key] = exc

    writers = [threading.Thread(target=write, args=(k,)) for k in ("k1", "bad-2", "k3", "k4")]
    with other.write():  # so that the four queue up and run as one bulk run
        for w in writers:
            w.start()
        for w in writers:
            w.join(timeout=0.5)
    for w in writers:
        w.join()
    assert isinstance(outcomes.pop("bad-2"), Conflict)
    assert outcomes == {"k1": "k1", "k3": "k3", "k4": "k4"}
    assert keys(db) == ["k1", "k3", "k4"]
    other.close()


def test_a_bulk_run_gives_each_caller_its_own_result(db: Database) -> None:
    other = held_elsewhere(db)
    outcomes: dict[str, object] = {}
    runs: list[list[str]] = []

    def counted(conn: sqlite3.Connection, batch: list[str]) -> list[str]:
        runs.append(batch)
        return insert_all(conn, batch)

    def write(key: str) -> None:
        outcomes[key] = db.grouped(insert(key), Bulk(counted, key))  # type: ignore[arg-type]

    writers = [threading.Thread(target=write, args=(f"k{i}",)) for i in range(5)]
    with other.write():
        for w in writers:
            w.start()
        for w in writers:
            w.join(timeout=0.5)
    for w in writers:
        w.join()
    assert outcomes == {f"k{i}": f"k{i}" for i in range(5)}
    assert max(map(len, runs)) >= 2  # done together, not one by one
    assert keys(db) == [f"k{i}" for i in range(5)]
    other.close()


def commit_fails(db: Database) -> Callable[[sqlite3.Connection], str]:
    """A write whose group's COMMIT fails: a deferred foreign key is checked at COMMIT only."""
    db.connection().execute(
        "CREATE TABLE child (k TEXT REFERENCES t(k) DEFERRABLE INITIALLY DEFERRED)"
    )

    def orphan(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO child VALUES ('nobody')")
        return "acknowledged"

    return orphan


def test_a_failed_commit_answers_every_caller_with_an_error_and_keeps_nothing(
    db: Database,
) -> None:
    orphan = commit_fails(db)
    with pytest.raises(StorageError):
        db.grouped(orphan)
    assert db.connection().execute("SELECT count(*) FROM child").fetchone()[0] == 0
    assert db.grouped(insert("after")) == "after"  # type: ignore[arg-type]


def run_on_own_loop(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run in a thread of its own: the suite's thread may hold a loop already."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(lambda: asyncio.run(main())).result()


async def _awaited(db: Database, key: str) -> object:
    try:
        return await db.grouped_async(insert(key))  # type: ignore[arg-type]
    except Conflict as exc:
        return exc


def test_awaited_writes_share_a_commit_and_fail_alone(db: Database) -> None:
    """The event loop's way in (the fast lane's add): no thread waits for the commit."""
    other = held_elsewhere(db)

    async def main() -> list[object]:
        with other.write():  # so that all queue up before the first commit
            pending = [asyncio.create_task(_awaited(db, k)) for k in ("a", "bad-b", "c", "d")]
            await asyncio.sleep(0.3)
            # Nobody is answered while their commit cannot happen, and the loop runs on.
            assert not any(task.done() for task in pending)
        return list(await asyncio.gather(*pending))

    a, bad, c, d = run_on_own_loop(main)
    assert (a, c, d) == ("a", "c", "d") and isinstance(bad, Conflict)
    assert keys(other) == ["a", "c", "d"]
    assert max(db.commit_groups()) >= 2
    other.close()


def test_an_awaited_write_whose_caller_gave_up_still_commits(db: Database) -> None:
    """Cancelled while queued (a client gone): it was never acknowledged, yet it is neither
    lost half-way nor does it break the committer for the writes after it."""
    other = held_elsewhere(db)

    async def main() -> object:
        with other.write():
            gone = asyncio.create_task(_awaited(db, "gone"))
            await asyncio.sleep(0.1)
            gone.cancel()
        return await _awaited(db, "next")

    assert run_on_own_loop(main) == "next"
    assert keys(other) == ["gone", "next"]
    other.close()


def test_a_failed_commit_reaches_an_awaiting_caller_as_an_error(db: Database) -> None:
    orphan = commit_fails(db)
    with pytest.raises(StorageError):
        run_on_own_loop(lambda: db.grouped_async(orphan))
    assert db.connection().execute("SELECT count(*) FROM child").fetchone()[0] == 0
