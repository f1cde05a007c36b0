"""One owner for the server's background work across `serve --workers N` processes.

Every worker process builds the same background tasks (the jobs worker, the daily recurring
trigger, the rates refresh); run in each, the daily tasks would run N times a day. The process
that holds an exclusive `flock` on a file in the data directory runs them; the others stand by
and retry the lock now and then, so when the owner exits (a restart, a crash: the kernel drops
the lock with the process) another takes over."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from ...ports.jobs import Background

log = logging.getLogger(__name__)

LOCK_FILE = "background.lock"
RETRY_SECONDS = 5.0


class SingleOwner:
    """A Background that starts `tasks` only in the process holding the lock."""

    def __init__(
        self, lock_path: Path, tasks: Sequence[Background], retry_seconds: float = RETRY_SECONDS
    ) -> None:
        self._lock_path = lock_path
        self._tasks = list(tasks)
        self._retry = retry_seconds
        self._fd: int | None = None
        self._running = False
        self._guard = threading.Lock()  # start of the tasks vs stop, from two threads
        self._stopping = threading.Event()
        self._standby: threading.Thread | None = None

    @property
    def owner(self) -> bool:
        return self._running

    @property
    def tasks(self) -> tuple[Background, ...]:
        return tuple(self._tasks)

    def start(self) -> None:
        self._stopping.clear()
        self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        if not self._try_take():
            self._standby = threading.Thread(target=self._wait_for_lock, daemon=True)
            self._standby.name = "background-standby"
            self._standby.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._standby is not None:
            self._standby.join(timeout=10)
            self._standby = None
        with self._guard:
            if self._running:
                for task in reversed(self._tasks):
                    task.stop()
                self._running = False
            if self._fd is not None:
                os.close(self._fd)  # closing drops the lock for the next owner
                self._fd = None

    def _try_take(self) -> bool:
        with self._guard:
            if self._fd is None or self._stopping.is_set():
                return False
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            for task in self._tasks:
                task.start()
            self._running = True
            log.info("background work runs in this process (pid %d)", os.getpid())
            return True

    def _wait_for_lock(self) -> None:
        while not self._stopping.wait(self._retry):
            if self._try_take():
                return
