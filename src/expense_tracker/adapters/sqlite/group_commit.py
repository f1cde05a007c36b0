"""Group commit: one committer thread per process runs the writes queued by many callers in one
transaction, so one COMMIT (one fsync, synchronous=FULL) serves them all.

Each write runs in its own SAVEPOINT, so its failure undoes only itself; its caller is woken
only once the group's COMMIT is durable (or has failed: then every caller of the group gets
the error, and nothing of the group is kept). While the committer waits for the locks or for
the fsync (both release the GIL), the next group forms in the queue: it takes the whole queue
once it holds the locks, so a busy second process makes this one commit bigger groups rather
than alternate small ones with it. Callers sleep on their own event: no convoy of threads
taking a lock in turn only to find their write done.

Writes of one kind may also name a `Bulk`: a run of them queued side by side is then done by
one call for all (one executemany, not one savepoint and statement each), in one savepoint;
should it fail, each write of the run is retried alone in its own, so a bad one still fails
alone. The committer then holds the GIL for fewer hand-offs, so its groups close sooner."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
from collections import Counter, deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from typing import Any, Generic, TypeVar

from ...domain.errors import StorageError

MAX_GROUP = 64  # writes sharing one commit at most, so no caller waits behind a huge group

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bulk(Generic[T]):
    """`item` joins the other items of the same `run` queued beside it: `run(conn, items)`
    returns their results in order (what each write's own work would have returned)."""

    run: Callable[[sqlite3.Connection, list[Any]], list[T]]
    item: object


class GroupCommitter:
    """`hold`: the locks a write transaction needs (the process's writer lock, then the
    cross-process one); `connection`: the calling thread's connection (the committer's own)."""

    def __init__(
        self,
        hold: Callable[[], AbstractContextManager[None]],
        connection: Callable[[], sqlite3.Connection],
    ) -> None:
        self._hold = hold
        self._connection = connection
        self._queue: deque[_GroupedWrite[Any]] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closing = False
        self.group_sizes: Counter[int] = Counter()  # commits by group size (tests, benchmarks)

    def run(self, work: Callable[[sqlite3.Connection], T], bulk: Bulk[T] | None = None) -> T:
        """`work`'s result once its group's COMMIT is durable, or its own error."""
        slot: _GroupedWrite[T] = _GroupedWrite(work, bulk)
        self._enqueue(slot)
        slot.finished.wait()
        return slot.outcome()

    async def run_async(
        self, work: Callable[[sqlite3.Connection], T], bulk: Bulk[T] | None = None
    ) -> T:
        """`run` for an event loop: it awaits the commit, so no thread waits for the fsync
        (a waiting thread per add meant a dozen threads fighting for the GIL each commit).
        Cancelled while queued, the write still runs: it was never acknowledged."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        slot: _GroupedWrite[T] = _GroupedWrite(work, bulk, partial(_wake, loop, done))
        self._enqueue(slot)
        await done
        return slot.outcome()

    def _enqueue(self, slot: _GroupedWrite[Any]) -> None:
        with self._ready:
            self._start_if_needed()
            self._queue.append(slot)
            self._ready.notify()

    def close(self) -> None:
        """Commit what is queued, then stop the thread (before its connection is closed).
        A later write starts a new one, as the database reopens connections after close."""
        with self._ready:
            self._closing = True
            self._ready.notify()
            thread = self._thread if self._pid == os.getpid() else None
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        with self._ready:
            self._thread, self._closing = None, False

    def _start_if_needed(self) -> None:
        """Under `_ready`. A forked worker process has the fields but not the thread."""
        alive = self._thread is not None and self._thread.is_alive()
        if alive and self._pid == os.getpid():
            return
        self._queue.clear()  # a parent's queue is not this process's to run
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._loop, name="sqlite-group-commit", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closing:
                    self._ready.wait()
                if not self._queue:
                    return  # closing, and nothing left to commit
            self._commit_next()

    def _take(self) -> list[_GroupedWrite[Any]]:
        with self._ready:
            return [self._queue.popleft() for _ in range(min(len(self._queue), MAX_GROUP))]

    def _commit_next(self) -> None:
        group: list[_GroupedWrite[Any]] = []
        try:
            with self._hold():
                # Taken once the locks are held: what queued while waiting joins in.
                group = self._take()
                _commit_group(self._connection(), group)
                self.group_sizes[len(group)] += 1
        except BaseException as exc:  # the locks failed, or worse: the callers still hear
            log.exception("group commit failed")
            _finish_all(group or self._take(), "the database could not commit", exc)
        finally:
            for slot in group:  # woken after the locks are let go
                slot.finish()


def _commit_group(conn: sqlite3.Connection, group: list[_GroupedWrite[Any]]) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        _finish_all(group, "the database is busy", exc)
        return
    try:
        for _, run in groupby(group, _bulk_run):
            _run_together(conn, list(run))
        conn.execute("COMMIT")
    except BaseException as exc:  # the commit failed: nothing of the group is kept
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        _finish_all(group, "the database could not commit", exc)


def _bulk_run(slot: _GroupedWrite[Any]) -> object:
    """What slots side by side must share to be done together (a slot without: itself)."""
    return slot if slot.bulk is None else slot.bulk.run


def _run_together(conn: sqlite3.Connection, run: list[_GroupedWrite[Any]]) -> None:
    """A run of writes of one Bulk in one call; on failure, each alone (in its savepoint)."""
    first = run[0].bulk
    if first is None or len(run) < 2:
        for slot in run:
            slot.run_in_savepoint(conn)
        return
    conn.execute("SAVEPOINT grouped_bulk")
    try:
        results = first.run(conn, [slot.bulk.item for slot in run if slot.bulk is not None])
    except Exception:  # someone's write is bad: find out whose, one at a time
        conn.execute("ROLLBACK TO grouped_bulk")
        conn.execute("RELEASE grouped_bulk")
        for slot in run:
            slot.run_in_savepoint(conn)
        return
    conn.execute("RELEASE grouped_bulk")
    for slot, result in zip(run, results, strict=True):
        slot.result = result


def _wake(loop: asyncio.AbstractEventLoop, done: asyncio.Future[None]) -> None:
    """From the committer's thread: the awaiting coroutine resumes on its own loop."""
    loop.call_soon_threadsafe(_resolve, done)


def _resolve(done: asyncio.Future[None]) -> None:
    if not done.done():  # its task may have been cancelled meanwhile
        done.set_result(None)


class _GroupedWrite(Generic[T]):
    """One caller's work in a group commit, with its result or its error; `on_finish` wakes
    an awaiting caller (a blocked one waits on `finished`)."""

    def __init__(
        self,
        work: Callable[[sqlite3.Connection], T],
        bulk: Bulk[T] | None,
        on_finish: Callable[[], None] | None = None,
    ) -> None:
        self.work = work
        self.bulk = bulk
        self.finished = threading.Event()
        self.on_finish = on_finish
        self.result: T | None = None
        self.error: BaseException | None = None

    def finish(self) -> None:
        """Once per write: after its group's COMMIT, or once it has failed."""
        if self.finished.is_set():
            return
        self.finished.set()
        if self.on_finish is not None:
            try:
                self.on_finish()
            except RuntimeError:  # its loop has closed: nobody is left to hear
                log.warning("a grouped write finished after its event loop closed")

    def run_in_savepoint(self, conn: sqlite3.Connection) -> None:
        conn.execute("SAVEPOINT grouped_write")
        try:
            self.result = self.work(conn)
        except Exception as exc:  # this write fails alone; the group goes on
            conn.execute("ROLLBACK TO grouped_write")
            self.error = exc
        conn.execute("RELEASE grouped_write")

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


def _finish_all(group: list[_GroupedWrite[Any]], message: str, cause: BaseException) -> None:
    for slot in group:
        slot.error = StorageError(message)
        slot.error.__cause__ = cause
        slot.finish()
