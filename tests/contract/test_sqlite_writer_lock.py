"""Writers of different processes take turns on a kernel lock beside the database file
(adapters/sqlite/writer_lock.py), so none waits in SQLite's sleeping busy handler."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
import threading
from pathlib import Path

from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.writer_lock import SUFFIX, ProcessWriterLock


def test_a_second_holder_waits_until_the_first_lets_go(tmp_path: Path) -> None:
    # Two locks on one file are two open descriptions, as in two processes.
    first, second = ProcessWriterLock(str(tmp_path / "db")), ProcessWriterLock(str(tmp_path / "db"))
    acquired = threading.Event()

    def take_second() -> None:
        with second.held():
            acquired.set()

    with first.held():
        waiter = threading.Thread(target=take_second)
        waiter.start()
        assert not acquired.wait(0.3)  # blocked while the first holds it
    waiter.join(10)
    assert acquired.is_set()
    first.close()
    second.close()


def test_the_lock_file_is_private(tmp_path: Path) -> None:
    lock = ProcessWriterLock(str(tmp_path / "db"))
    with lock.held():
        mode = stat.S_IMODE((tmp_path / f"db{SUFFIX}").stat().st_mode)
    lock.close()
    assert mode & 0o077 == 0


def _add_rows(path: str, prefix: str, count: int) -> None:
    db = Database(path)
    for n in range(count):
        key = f"{prefix}{n}"

        def insert(conn: sqlite3.Connection, key: str = key) -> None:
            conn.execute("INSERT INTO t VALUES (?)", (key,))

        db.grouped(insert)
    db.close()


def test_grouped_writers_in_three_processes_all_land(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    db = Database(path)
    db.connection().execute("CREATE TABLE t (k TEXT PRIMARY KEY)")
    # As `serve --workers 2` does: the parent wrote before forking; each process opens its own.
    with db.write() as conn:
        conn.execute("INSERT INTO t VALUES ('parent')")
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_add_rows, args=(path, f"p{i}-", 40)) for i in range(2)]
    for child in children:
        child.start()
    _add_rows(path, "main-", 40)
    for child in children:
        child.join(60)
    assert [child.exitcode for child in children] == [0, 0]
    with sqlite3.connect(path) as check:
        (count,) = check.execute("SELECT count(*) FROM t").fetchone()
    db.close()
    assert count == 1 + 3 * 40
    assert os.path.exists(path + SUFFIX)
