"""WAL checkpoints off every writer's path: one thread per process copies the log into the
database file (PASSIVE) after writes, at most every CHECKPOINT_SECONDS.

SQLite's own (wal_autocheckpoint) runs inside the COMMIT of whichever connection finds the log
past 1,000 pages. During an import that was either a request's add, which then copied and
fsynced the import's megabytes before answering, or the import's own commit, inside the
cross-process writer lock that requests wait for (writer_lock.py). Every connection turns it
off (db.py) and this thread does it instead, holding no lock of ours: a PASSIVE checkpoint never
waits for a writer, and no writer waits for it. Its sync of the log before copying also keeps
the import's unsynced pages few, so a request's durable commit has little else to flush."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable

CHECKPOINT_SECONDS = 0.05  # at most this often while writes go on

log = logging.getLogger(__name__)


class Checkpointer:
    """`connect` opens the thread's own connection (closed when the thread ends)."""

    def __init__(
        self, connect: Callable[[], sqlite3.Connection], interval: float = CHECKPOINT_SECONDS
    ) -> None:
        self._connect = connect
        self._interval = interval
        self._wanted = threading.Condition()
        self._pending = False
        self._closing = False
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.runs = 0  # checkpoints made (tests)

    def poke(self) -> None:
        """Something was committed: checkpoint soon (never blocks the caller)."""
        with self._wanted:
            if self._closing:
                return
            self._pending = True
            alive = self._thread is not None and self._thread.is_alive()
            if not alive or self._pid != os.getpid():  # a forked child starts its own
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._loop, name="sqlite-checkpoint", daemon=True
                )
                self._thread.start()
            self._wanted.notify()

    def close(self) -> None:
        """Make the last checkpoint asked for, then stop; a later poke starts it again."""
        with self._wanted:
            self._closing = True
            self._wanted.notify()
            thread = self._thread if self._pid == os.getpid() else None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        with self._wanted:
            self._thread, self._closing = None, False

    def _loop(self) -> None:
        conn: sqlite3.Connection | None = None
        last = time.monotonic() - self._interval
        try:
            while True:
                with self._wanted:
                    while not self._pending and not self._closing:
                        self._wanted.wait()
                    if not self._pending:
                        return  # closing, nothing asked for
                    closing = self._closing
                if not closing:  # coalesce the commits of the next moments into one
                    time.sleep(max(0.0, last + self._interval - time.monotonic()))
                with self._wanted:
                    self._pending = False
                conn = conn or self._connect()
                _checkpoint(conn)
                self.runs += 1
                last = time.monotonic()
                if closing:
                    return
        except Exception:  # the database could not be opened: the next poke tries again
            log.exception("WAL checkpoint thread stopped")
        finally:
            if conn is not None:
                conn.close()


def _checkpoint(conn: sqlite3.Connection) -> None:
    # BUSY (another process's checkpoint is running) is an answer, not an error: it does ours.
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
