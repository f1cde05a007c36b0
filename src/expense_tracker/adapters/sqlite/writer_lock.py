"""Writers of every process on one database file take turns on a kernel lock.

SQLite arbitrates between processes with its busy handler, which polls and sleeps in growing
steps (up to 100 ms a try): with two server processes adding at once, a writer of one slept
while the other's lock had long been free, and two workers added fewer expenses than one.
An exclusive flock(2) on a side file instead blocks in the kernel and is woken the moment the
holder lets go; busy_timeout stays as the fallback for writers that do not take it (the
sqlite3 shell, an older release).

A request's writer that finds the lock taken says so while it waits: it holds a shared flock on
a second side file, which a background writer of any process (the jobs worker process's
import) probes between its steps to end its transaction early (Database.foreground_waiting).
The kernel drops both with a dead process, so a crash leaves no flag raised."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

SUFFIX = "-writer"  # beside the database file, as SQLite's own -wal and -shm are
WAITING_SUFFIX = "-writer-waiting"
PRIVATE_FILE = 0o600


class ProcessWriterLock:
    """Hold it only while holding the process's own writer lock: the descriptor, so the
    flock, is shared by the process's threads (it orders processes, not threads)."""

    def __init__(self, database_path: str) -> None:
        in_memory = database_path == ":memory:" or database_path.startswith("file:")
        self._path = None if in_memory else database_path
        # Per process (a descriptor inherited through fork shares its lock with the parent):
        # the writer lock, the waiting flag a waiter holds, and the probe of that flag (its
        # own open file, so a probe never converts this process's own shared lock).
        self._fds: dict[str, int] = {}
        self._pid = 0

    @contextmanager
    def held(self, *, background: bool = False) -> Iterator[None]:
        fd = self._descriptor("writer", SUFFIX)
        if fd is None:
            yield
            return
        if background:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            self._take_announced(fd)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _take_announced(self, fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        flag = self._descriptor("waiting", WAITING_SUFFIX)
        assert flag is not None  # a file database, as `fd` was
        fcntl.flock(flag, fcntl.LOCK_SH)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        finally:
            fcntl.flock(flag, fcntl.LOCK_UN)

    def foreground_waiting(self) -> bool:
        """Whether a request's writer of any process waits for this lock (two system calls)."""
        probe = self._descriptor("probe", WAITING_SUFFIX)
        if probe is None:
            return False
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False

    def _descriptor(self, role: str, suffix: str) -> int | None:
        if self._path is None:
            return None
        if self._pid != os.getpid():
            self._fds, self._pid = {}, os.getpid()  # a forked child opens its own
        fd = self._fds.get(role)
        if fd is None:
            flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
            fd = self._fds[role] = os.open(self._path + suffix, flags, PRIVATE_FILE)
        return fd

    def close(self) -> None:
        if self._pid == os.getpid():
            for fd in self._fds.values():
                os.close(fd)
        self._fds = {}
