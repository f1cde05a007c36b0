"""The local server runs its jobs (imports, exports, scans, recurring runs) in a worker process.

As a thread of the server, a 500,000-row import's Python held the GIL, and every request's
hand-offs (event loop, thread pool, back) waited behind it: another user's add took 20 times
its idle p99. In a process of its own, at a lower priority (niced: entrypoints/job_worker.py),
it only shares the cores, and its writes give way to the server's (the cross-process write
gate, see adapters/sqlite/writer_lock.py).

The server side (`JobsProcess`, a Background run by the one owner of the background work)
starts the process with `subprocess` (fork and exec at once, so no thread of the server is
copied) and supervises it: one that dies is replaced. The worker claims jobs from the SQLite
jobs table as the thread did, so a restart resumes what was running. Its standard input is a
pipe from the server: first the pickled Settings, then one byte per queued job (claim it now,
not at the next poll); end of file means the server stopped or died, and the worker stops after
the step in hand (a resumable job checkpoints), so it never outlives the server.

The worker side (`run_worker`) holds a lock file in the data directory, with its pid in it, for
its whole life: one worker per database, so a job marked running when it starts was left by a
worker that died, and it is queued again at once rather than after its lease."""

from __future__ import annotations

import contextlib
import fcntl
import io
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ...config import Settings
from ...container import Container
from ..sqlite.jobs import SqliteJobs
from .background_owner import SingleOwner

log = logging.getLogger(__name__)

WORKER_MODULE = "expense_tracker.entrypoints.job_worker"
WORKER_LOCK_FILE = "jobs-worker.lock"
STOP_SECONDS = 15.0  # for the job in hand to checkpoint before the worker is killed
POLL_SECONDS = 0.2  # how soon the supervisor sees its worker gone
RESTART_SECONDS = 0.5  # doubled (to MAX_RESTART_SECONDS) while workers die young
MAX_RESTART_SECONDS = 30.0
HEALTHY_SECONDS = 30.0
WAKE = b"w"
LENGTH_BYTES = 4


def worker_command() -> list[str]:
    return [sys.executable, "-m", WORKER_MODULE]


class JobsProcess:
    """A Background: the jobs worker process, started, replaced when it dies, and stopped."""

    def __init__(
        self,
        settings: Settings,
        *,
        command: Sequence[str] | None = None,
        restart_seconds: float = RESTART_SECONDS,
    ) -> None:
        self._settings = pickle.dumps(settings)
        self._command = list(command or worker_command())
        self._restart = restart_seconds
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._pipe_lock = threading.Lock()  # wake (request threads) vs spawn and stop
        self.starts = 0  # worker processes started so far (one, plus each replacement)

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def start(self) -> None:
        if self._supervisor is not None:
            return
        self._stopping.clear()
        self._supervisor = threading.Thread(target=self._supervise, name="jobs-supervisor")
        self._supervisor.daemon = True
        self._supervisor.start()

    def stop(self) -> None:
        supervisor = self._supervisor
        if supervisor is None:
            return
        self._stopping.set()
        supervisor.join(timeout=STOP_SECONDS + 5)
        self._supervisor = None

    def wake(self) -> None:
        """A job was queued: tell the worker (never blocks; a full pipe has wakes enough)."""
        with self._pipe_lock:
            process = self._process
            if process is None or process.stdin is None or process.stdin.closed:
                return
            # A full pipe has wakes enough; a dead worker's replacement looks at its start.
            with contextlib.suppress(BlockingIOError, BrokenPipeError):
                os.write(process.stdin.fileno(), WAKE)

    def _supervise(self) -> None:
        delay = self._restart
        while not self._stopping.is_set():
            began = time.monotonic()
            try:
                process = self._spawn()
            except OSError:
                log.exception("could not start the jobs worker process")
            else:
                while process.poll() is None and not self._stopping.wait(POLL_SECONDS):
                    pass
                if self._stopping.is_set():
                    self._end(process)
                    return
                log.warning(
                    "the jobs worker process (pid %d) ended (%s); starting another",
                    process.pid,
                    process.returncode,
                )
                self._close_pipe(process)
            delay = self._restart if time.monotonic() - began > HEALTHY_SECONDS else delay
            self._stopping.wait(delay)
            delay = min(delay * 2, MAX_RESTART_SECONDS)

    def _spawn(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(self._command, stdin=subprocess.PIPE, close_fds=True)
        assert process.stdin is not None
        process.stdin.write(len(self._settings).to_bytes(LENGTH_BYTES, "big") + self._settings)
        process.stdin.flush()
        os.set_blocking(process.stdin.fileno(), False)
        with self._pipe_lock:
            self._process = process
            self.starts += 1
        return process

    def _end(self, process: subprocess.Popen[bytes]) -> None:
        """End of file on its input: the worker stops after the step in hand."""
        self._close_pipe(process)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("the jobs worker process did not stop in time: killed")
            process.kill()
            process.wait(timeout=10)

    def _close_pipe(self, process: subprocess.Popen[bytes]) -> None:
        with self._pipe_lock:
            if process.stdin is not None and not process.stdin.closed:
                with contextlib.suppress(BrokenPipeError):
                    process.stdin.close()
            self._process = None


def read_settings(stream: io.BufferedReader) -> Settings:
    """The worker's Settings, as the server sent them (the server's own, not re-read)."""
    length = int.from_bytes(_exactly(stream, LENGTH_BYTES), "big")
    settings = pickle.loads(_exactly(stream, length))  # from our parent, through a pipe
    if not isinstance(settings, Settings):
        raise TypeError("the jobs worker expects Settings first on its input")
    return settings


def _exactly(stream: io.BufferedReader, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the server closed the jobs worker's input")
    return data


def run_worker(container: Container, stream: io.BufferedReader) -> None:
    """The worker process's life: one worker per database, then jobs until end of file."""
    jobs = container.jobs
    if not isinstance(jobs, SqliteJobs):
        raise TypeError("the jobs worker process runs the local (SQLite) jobs")
    # The tasks of every server process (the rates file follower) run here too; the owner's
    # tasks (sweeps, triggers, this worker's supervisor) stay in the server.
    followers = [task for task in container.background if not isinstance(task, SingleOwner)]
    lock = os.open(
        container.settings.data_dir.resolve() / WORKER_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600
    )
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a predecessor still stopping: wait for its end
        os.ftruncate(lock, 0)
        os.write(lock, f"{os.getpid()}\n".encode())
        if requeued := jobs.requeue_running():
            log.warning("%d job(s) left running by a lost worker queued again", requeued)
        for task in followers:
            task.start()
        jobs.start()
        try:
            while stream.read1(64):  # each byte: a job was queued
                jobs.wake()
        finally:
            jobs.stop()
            for task in reversed(followers):
                task.stop()
    finally:
        os.close(lock)  # the kernel drops the lock with it


def worker_pid(data_dir: Path) -> int | None:
    """The pid the running worker wrote into its lock file (for tests and operators)."""
    try:
        text = (data_dir / WORKER_LOCK_FILE).read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text else None
