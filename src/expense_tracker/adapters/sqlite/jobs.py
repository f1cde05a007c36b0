"""The jobs port on SQLite, with the worker thread that runs them (the local server starts it
in its jobs worker process, adapters/local/job_process.py, away from the requests' GIL).

A job is claimed in a write transaction (BEGIN IMMEDIATE), so two worker threads or two server
processes (serve --workers N) never claim the same job. A running job holds a lease that each
progress report extends; a job whose worker died (a kill, a crash, a restart) is claimed again
once its lease has lapsed, and handlers are idempotent, so the rerun adds nothing twice. After
MAX_ATTEMPTS starts a job is failed rather than retried for ever. A job runs to its end here
(no time slices) unless the server is stopping: then a handler that can resume checkpoints and
returns Continue, and the next start carries on from there."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ...domain.errors import NotFound
from ...ports import Clock
from ...ports.jobs import Job, JobData, JobHandlers, JobStatus
from ...services.jobs import MAX_ATTEMPTS, execute, gave_up
from .db import Database, storage_errors
from .queries import moment

LEASE = timedelta(minutes=5)
IDLE_POLL_SECONDS = 1.0  # how soon a job queued by another process is noticed
SWITCH_INTERVAL = 0.001

log = logging.getLogger(__name__)

COLUMNS = "id, user_id, kind, status, params, progress, attempts, created_at, updated_at"


class SqliteJobs:
    def __init__(self, db: Database, clock: Clock, *, lease: timedelta = LEASE) -> None:
        self._db = db
        self._clock = clock
        self._lease = lease
        self._handlers: JobHandlers = {}
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[], None]] = []

    def on_queued(self, listener: Callable[[], None]) -> None:
        """Also tell `listener` when a job is queued (the jobs worker process, which runs
        this process's jobs, then claims it at once rather than at its next poll)."""
        self._listeners.append(listener)

    def wake(self) -> None:
        """A job may be waiting: look now rather than at the next poll."""
        self._wake.set()
        for listener in self._listeners:
            listener()

    def bind(self, handlers: JobHandlers) -> None:
        self._handlers = handlers

    def create(self, job: Job) -> Job:
        with storage_errors("create the job"), self._db.write() as conn:
            conn.execute(
                f"INSERT INTO jobs ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job.id,
                    job.user_id,
                    job.kind,
                    job.status,
                    json.dumps(dict(job.params)),
                    json.dumps(dict(job.progress)),
                    job.attempts,
                    moment(job.created_at),
                    moment(job.updated_at),
                ),
            )
        if job.status == "queued":
            self.wake()
        return job

    def get(self, user_id: str, job_id: str) -> Job:
        with storage_errors("read the job"):
            row = (
                self._db.connection()
                .execute(
                    f"SELECT {COLUMNS} FROM jobs WHERE id = ? AND user_id = ?", (job_id, user_id)
                )
                .fetchone()
            )
        if row is None:
            raise NotFound("job")
        return _job(row)

    def list(self, user_id: str, kind: str, limit: int = 50) -> list[Job]:
        with storage_errors("list the jobs"):
            rows = (
                self._db.connection()
                .execute(
                    f"SELECT {COLUMNS} FROM jobs WHERE user_id = ? AND kind = ? "
                    "ORDER BY created_at DESC, id DESC LIMIT ?",
                    (user_id, kind, limit),
                )
                .fetchall()
            )
        return [_job(row) for row in rows]

    def enqueue(self, user_id: str, job_id: str) -> Job:
        now = moment(self._clock.now())
        with storage_errors("queue the job"), self._db.write() as conn:
            conn.execute(
                "UPDATE jobs SET status = 'queued', updated_at = ? "
                "WHERE id = ? AND user_id = ? AND status = 'waiting_upload'",
                (now, job_id, user_id),
            )
        self.wake()
        return self.get(user_id, job_id)

    def requeue_running(self) -> int:
        """Queue again every job marked running, at once rather than when its lease lapses.
        Only for the one worker of the database (it holds the jobs worker lock, so no other
        runs a job): what is marked running was left by a worker that died. Its attempt
        stays counted, so a job that keeps killing its worker still gives up."""
        now = moment(self._clock.now())
        with storage_errors("requeue the jobs"), self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET status = 'queued', lease_until = NULL, updated_at = ? "
                "WHERE status = 'running'",
                (now,),
            )
        return cursor.rowcount

    # The worker -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        # A job's thread shares the GIL with the requests' threads: hand it over every
        # millisecond (not 5), or a request waits ~5 ms at each of its thread hand-offs.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self._thread = threading.Thread(target=self._loop, name="jobs-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the worker to stop after the job in hand (its lease lets a later start resume
        a job cut short), and wait a little for it."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join(timeout=10)
        self._thread = None

    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                ran = self.run_next()
            except Exception:  # the database itself failed: wait, then try again
                log.exception("jobs worker: could not run the next job")
                ran = False
            if not ran:
                self._wake.wait(IDLE_POLL_SECONDS)
                self._wake.clear()

    def run_next(self) -> bool:
        """Claim and run one runnable job; False when there was none."""
        job = self._claim()
        if job is None:
            return False
        if job.attempts > MAX_ATTEMPTS:  # its workers kept dying: stop trying
            self._finish(job, *gave_up(job, RuntimeError("worker lost too often")))
            return True
        reporter = _Reporter(self, job)
        try:
            status, progress = execute(job, self._handlers, reporter)
        except Exception as error:
            if job.attempts < MAX_ATTEMPTS:
                log.warning("job %s (%s) crashed; it will be retried", job.id, job.kind)
                self._release(job)
                return True
            status, progress = gave_up(replace(job, progress=reporter.latest), error)
        if status == "queued":
            self._continue(job, progress)
        else:
            self._finish(job, status, progress)
        return True

    def _claim(self) -> Job | None:
        now = self._clock.now()
        with storage_errors("claim a job"), self._db.write() as conn:
            row = conn.execute(
                f"SELECT {COLUMNS} FROM jobs WHERE status = 'queued' "
                "OR (status = 'running' AND lease_until < ?) ORDER BY id LIMIT 1",
                (moment(now),),
            ).fetchone()
            if row is None:
                return None
            job = replace(_job(row), status="running")
            job = replace(job, attempts=job.attempts + 1, updated_at=now)
            conn.execute(
                "UPDATE jobs SET status = 'running', attempts = ?, updated_at = ?, "
                "lease_until = ? WHERE id = ?",
                (job.attempts, moment(now), moment(now + self._lease), job.id),
            )
        return job

    def _owned_update(
        self, job: Job, sql: str, params: tuple[Any, ...], *, background: bool = False
    ) -> None:
        """Update the job only while this worker still holds it (same attempt, running)."""
        with (
            storage_errors("update the job"),
            self._db.write(durable=not background, background=background) as conn,
        ):
            conn.execute(
                f"{sql} WHERE id = ? AND attempts = ? AND status = 'running'",
                (*params, job.id, job.attempts),
            )

    def report(self, job: Job, progress: JobData) -> None:
        """Not fsynced and giving way to requests: a lost report only means a rerun resumes
        from an earlier checkpoint (handlers are idempotent)."""
        now = self._clock.now()
        self._owned_update(
            job,
            "UPDATE jobs SET progress = ?, updated_at = ?, lease_until = ?",
            (json.dumps(dict(progress)), moment(now), moment(now + self._lease)),
            background=True,
        )

    def _release(self, job: Job) -> None:
        now = moment(self._clock.now())
        self._owned_update(
            job, "UPDATE jobs SET status = 'queued', lease_until = NULL, updated_at = ?", (now,)
        )

    def _continue(self, job: Job, checkpoint: JobData) -> None:
        """Queue the job again from its checkpoint; a slice that ended well gives its attempt
        back (attempts count crashes)."""
        now = moment(self._clock.now())
        self._owned_update(
            job,
            "UPDATE jobs SET status = 'queued', progress = ?, attempts = attempts - 1, "
            "lease_until = NULL, updated_at = ?",
            (json.dumps(dict(checkpoint)), now),
        )
        self._wake.set()

    def _finish(self, job: Job, status: JobStatus, progress: JobData) -> None:
        now = moment(self._clock.now())
        self._owned_update(
            job,
            "UPDATE jobs SET status = ?, progress = ?, lease_until = NULL, updated_at = ?",
            (status, json.dumps(dict(progress)), now),
        )


class _Reporter:
    def __init__(self, jobs: SqliteJobs, job: Job) -> None:
        self._jobs = jobs
        self._job = job
        self.latest: JobData = job.progress

    def report(self, progress: JobData) -> None:
        self.latest = dict(progress)
        self._jobs.report(self._job, progress)

    def out_of_time(self) -> bool:
        return self._jobs.stopping()


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        status=row["status"],
        params=json.loads(row["params"]),
        progress=json.loads(row["progress"]),
        attempts=row["attempts"],
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
    )


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
