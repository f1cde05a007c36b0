"""The memory jobs adapter and the shared runner: a job ends done with its handler's result,
failed with its message, or failed with a generic message after a crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.memory import MemoryJobs
from expense_tracker.domain.errors import NotFound
from expense_tracker.ports.jobs import Job, JobData, JobFailed, JobReporter
from expense_tracker.services.jobs import INTERNAL_ERROR, new_job

NOW = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


def counting(job: Job, reporter: JobReporter) -> JobData:
    reporter.report({"processed": 1})
    return {"processed": 2, "echo": job.params["value"]}


def refusing(job: Job, reporter: JobReporter) -> JobData:
    raise JobFailed("line 3: amount is not a number", {"processed": 3})


def crashing(job: Job, reporter: JobReporter) -> JobData:
    raise RuntimeError("disk on fire")


@pytest.fixture
def jobs() -> MemoryJobs:
    adapter = MemoryJobs(FixedClock(NOW))
    adapter.bind({"count": counting, "refuse": refusing, "crash": crashing})
    return adapter


def make(kind: str, status: str = "waiting_upload") -> Job:
    return new_job(user_id="u1", kind=kind, params={"value": 7}, status=status, now=NOW)  # type: ignore[arg-type]


def test_enqueued_job_runs_inline_and_keeps_its_result(jobs: MemoryJobs) -> None:
    job = jobs.create(make("count"))
    assert job.status == "waiting_upload"
    done = jobs.enqueue("u1", job.id)
    assert (done.status, done.progress, done.attempts) == ("done", {"processed": 2, "echo": 7}, 1)
    assert jobs.get("u1", job.id) == done


def test_enqueue_is_idempotent_once_the_job_has_run(jobs: MemoryJobs) -> None:
    job = jobs.create(make("count"))
    first = jobs.enqueue("u1", job.id)
    assert jobs.enqueue("u1", job.id) == first


def test_a_queued_job_runs_at_creation(jobs: MemoryJobs) -> None:
    assert jobs.create(make("count", "queued")).status == "done"


def test_job_failed_keeps_its_message_and_progress(jobs: MemoryJobs) -> None:
    failed = jobs.create(make("refuse", "queued"))
    assert failed.status == "failed"
    assert failed.progress == {"processed": 3, "error": "line 3: amount is not a number"}


def test_a_crash_fails_with_a_message_that_reveals_nothing(jobs: MemoryJobs) -> None:
    failed = jobs.create(make("crash", "queued"))
    assert failed.status == "failed"
    assert failed.progress["error"] == INTERNAL_ERROR
    assert "fire" not in str(failed.progress)


def test_unknown_kind_fails(jobs: MemoryJobs) -> None:
    assert jobs.create(make("nobody-knows", "queued")).status == "failed"


def test_other_users_job_is_not_found(jobs: MemoryJobs) -> None:
    job = jobs.create(make("count"))
    with pytest.raises(NotFound):
        jobs.get("u2", job.id)
    with pytest.raises(NotFound):
        jobs.enqueue("u2", job.id)


def test_list_is_per_user_and_kind_newest_first(jobs: MemoryJobs) -> None:
    a = jobs.create(make("count"))
    b = jobs.create(make("count"))
    jobs.create(make("refuse"))
    assert [j.id for j in jobs.list("u1", "count")] == [b.id, a.id]
    assert jobs.list("u2", "count") == []
