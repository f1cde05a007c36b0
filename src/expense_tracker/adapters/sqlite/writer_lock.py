"""Writers of every process on one database file take turns on a kernel lock.

SQLite arbitrates between processes with its busy handler, which polls and sleeps in growing
steps (up to 100 ms a try): with two server processes adding at once, a writer of one slept
while the other's lock had long been free, and two workers added fewer expenses than one.
An exclusive flock(2) on a side file instead blocks in the kernel and is woken the moment the
holder lets go; busy_timeout stays as the fallback for writers that do not take it (the
sqlite3 shell, an older release)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

SUFFIX = "-writer"  # beside the database file, as SQLite's own -wal and -shm are
PRIVATE_FILE = 0o600


class ProcessWriterLock:
    """Hold it only while holding the process's own writer lock: the descriptor, so the
    flock, is shared by the process's threads (it orders processes, not threads)."""

    def __init__(self, database_path: str) -> None:
        in_memory = database_path == ":memory:" or database_path.startswith("file:")
        self._path = None if in_memory else database_path + SUFFIX
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        fd = self._descriptor()
        if fd is None:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _descriptor(self) -> int | None:
        if self._path is None:
            return None
        if self._fd is None or self._pid != os.getpid():
            # A descriptor inherited through fork shares its lock with the parent: a worker
            # process opens its own.
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)
            self._pid = os.getpid()
        return self._fd

    def close(self) -> None:
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None
