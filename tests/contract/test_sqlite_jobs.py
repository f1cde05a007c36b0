"""The SQLite jobs adapter and its worker: claims, leases, retries and exactly-once finishing.

A killed worker is simulated by claiming a job and never finishing it: its lease lapses and the
next worker resumes it. The handler counts its runs in a dict, as an idempotent handler would
record what it did."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.jobs import LEASE, SqliteJobs
from expense_tracker.domain.errors import NotFound
from expense_tracker.ports.jobs import Continue, Job, JobData, JobFailed, JobReporter
from expense_tracker.services.jobs import INTERNAL_ERROR, MAX_ATTEMPTS, new_job

NOW = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


class Handlers:
    def __init__(self) -> None:
        self.runs: dict[str, int] = {}
        self.crashes_left = 0

    def count(self, job: Job, reporter: JobReporter) -> JobData:
        self.runs[job.id] = self.runs.get(job.id, 0) + 1
        reporter.report({"processed": 1})
        if self.crashes_left:
            self.crashes_left -= 1
            raise OSError("the disk went away")
        return {"processed": 2}

    def refuse(self, job: Job, reporter: JobReporter) -> JobData:
        raise JobFailed("line 2: no amount", {"processed": 2})


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "jobs.sqlite3")
    yield database
    database.close()


@pytest.fixture
def handlers() -> Handlers:
    return Handlers()


@pytest.fixture
def jobs(db: Database, clock: FixedClock, handlers: Handlers) -> SqliteJobs:
    adapter = SqliteJobs(db, clock)
    adapter.bind({"count": handlers.count, "refuse": handlers.refuse})
    return adapter


def make(kind: str = "count", status: str = "waiting_upload", user: str = "u1") -> Job:
    return new_job(user_id=user, kind=kind, params={"n": 1}, status=status, now=NOW)  # type: ignore[arg-type]


def test_a_job_round_trips_and_stays_with_its_user(jobs: SqliteJobs) -> None:
    job = jobs.create(make())
    assert jobs.get("u1", job.id) == job
    with pytest.raises(NotFound):
        jobs.get("u2", job.id)
    with pytest.raises(NotFound):
        jobs.enqueue("u2", job.id)


def test_waiting_job_is_not_run_until_enqueued(jobs: SqliteJobs, handlers: Handlers) -> None:
    job = jobs.create(make())
    assert jobs.run_next() is False
    assert jobs.enqueue("u1", job.id).status == "queued"
    assert jobs.run_next() is True
    done = jobs.get("u1", job.id)
    assert (done.status, done.progress, done.attempts) == ("done", {"processed": 2}, 1)
    assert handlers.runs == {job.id: 1}
    assert jobs.run_next() is False


def test_enqueue_twice_runs_once(jobs: SqliteJobs, handlers: Handlers) -> None:
    job = jobs.create(make())
    jobs.enqueue("u1", job.id)
    jobs.enqueue("u1", job.id)
    while jobs.run_next():
        pass
    jobs.enqueue("u1", job.id)  # after it finished: unchanged, not run again
    assert jobs.run_next() is False
    assert handlers.runs == {job.id: 1}


def test_job_failed_is_final_with_its_message(jobs: SqliteJobs) -> None:
    job = jobs.create(make("refuse", "queued"))
    jobs.run_next()
    failed = jobs.get("u1", job.id)
    assert failed.status == "failed"
    assert failed.progress == {"processed": 2, "error": "line 2: no amount"}


def test_a_crash_is_retried_and_then_succeeds(jobs: SqliteJobs, handlers: Handlers) -> None:
    handlers.crashes_left = 1
    job = jobs.create(make(status="queued"))
    jobs.run_next()
    assert jobs.get("u1", job.id).status == "queued"
    jobs.run_next()
    done = jobs.get("u1", job.id)
    assert (done.status, done.attempts) == ("done", 2)


def test_a_job_that_always_crashes_fails_after_max_attempts(
    jobs: SqliteJobs, handlers: Handlers
) -> None:
    handlers.crashes_left = 100
    job = jobs.create(make(status="queued"))
    while jobs.run_next():
        pass
    failed = jobs.get("u1", job.id)
    assert failed.status == "failed"
    assert failed.attempts == MAX_ATTEMPTS
    assert failed.progress == {"processed": 1, "error": INTERNAL_ERROR}
    assert handlers.runs[job.id] == MAX_ATTEMPTS


def test_a_killed_workers_job_is_resumed_after_its_lease(
    db: Database, clock: FixedClock, handlers: Handlers
) -> None:
    first = SqliteJobs(db, clock)
    job = first.create(make(status="queued"))
    claimed = first._claim()  # the worker took it, then was killed before finishing
    assert claimed is not None and claimed.id == job.id
    second = SqliteJobs(db, clock)
    second.bind({"count": handlers.count})
    assert second.run_next() is False  # the lease still holds
    clock.advance(LEASE + timedelta(seconds=1))
    assert second.run_next() is True
    done = second.get("u1", job.id)
    assert (done.status, done.attempts) == ("done", 2)
    assert handlers.runs == {job.id: 1}


def test_a_stale_worker_cannot_overwrite_the_job_it_lost(
    db: Database, clock: FixedClock, handlers: Handlers
) -> None:
    slow = SqliteJobs(db, clock)
    job = slow.create(make(status="queued"))
    lost = slow._claim()
    assert lost is not None
    clock.advance(LEASE + timedelta(seconds=1))
    fresh = SqliteJobs(db, clock)
    fresh.bind({"count": handlers.count})
    fresh.run_next()
    slow._finish(lost, "failed", {"error": "too late"})
    assert fresh.get("u1", job.id).status == "done"


def test_list_is_per_user_and_kind_newest_first(jobs: SqliteJobs, clock: FixedClock) -> None:
    a = jobs.create(make())
    clock.advance(timedelta(seconds=1))
    b = jobs.create(
        new_job(user_id="u1", kind="count", params={}, status="queued", now=clock.now())
    )
    jobs.create(make("refuse"))
    jobs.create(make(user="u2"))
    assert [j.id for j in jobs.list("u1", "count")] == [b.id, a.id]


def test_the_worker_thread_runs_queued_jobs_and_stops(jobs: SqliteJobs, handlers: Handlers) -> None:
    finished = threading.Event()

    def record(job: Job, reporter: JobReporter) -> JobData:
        finished.set()
        return {"ran": True}

    jobs.bind({"count": record})
    jobs.start()
    try:
        job = jobs.create(make(status="queued"))
        assert finished.wait(timeout=30)
    finally:
        jobs.stop()
    for _ in range(100):  # the finishing write follows the handler's return
        if jobs.get("u1", job.id).status == "done":
            break
        threading.Event().wait(0.05)
    assert jobs.get("u1", job.id).progress == {"ran": True}


def test_a_job_that_continues_is_queued_again_from_its_checkpoint(
    db: Database, clock: FixedClock
) -> None:
    seen: list[JobData] = []

    def step(job: Job, reporter: JobReporter) -> JobData | Continue:
        seen.append(dict(job.progress))
        done = int(str(job.progress.get("done", 0))) + 1
        return {"done": done} if done == 3 else Continue({"done": done})

    adapter = SqliteJobs(db, clock)
    adapter.bind({"step": step})
    job = adapter.create(make("step", status="queued"))
    while adapter.run_next():
        pass
    finished = adapter.get(job.user_id, job.id)
    assert (finished.status, finished.progress) == ("done", {"done": 3})
    assert seen == [{}, {"done": 1}, {"done": 2}]  # each run resumed from the last checkpoint
    assert finished.attempts == 1  # slices that ended well are not retries


def test_a_stopping_worker_asks_its_job_to_checkpoint(db: Database, clock: FixedClock) -> None:
    asked: list[bool] = []
    adapter = SqliteJobs(db, clock)

    def step(job: Job, reporter: JobReporter) -> JobData | Continue:
        asked.append(reporter.out_of_time())
        return Continue({"at": len(asked)}) if reporter.out_of_time() else {"at": len(asked)}

    adapter.bind({"step": step})
    first = adapter.create(make("step", status="queued"))
    adapter.run_next()
    adapter.start()
    adapter.stop()  # a job run now is one the stopping worker still has in hand
    second = adapter.create(make("step", status="queued"))
    adapter.run_next()
    assert asked == [False, True]
    assert adapter.get(first.user_id, first.id).status == "done"
    resumed = adapter.get(second.user_id, second.id)
    assert (resumed.status, resumed.progress) == ("queued", {"at": 2})
