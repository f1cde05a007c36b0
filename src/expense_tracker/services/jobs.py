"""Running one job, the same way on every jobs adapter, and the job's public shape."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from ulid import ULID

from ..ports.jobs import Continue, Job, JobData, JobFailed, JobHandlers, JobReporter, JobStatus

MAX_ATTEMPTS = 3  # a job that crashed its worker this often is failed, not retried for ever
INTERNAL_ERROR = "The job failed unexpectedly; nothing it did was kept twice. Try again later."

log = logging.getLogger(__name__)


def new_job(*, user_id: str, kind: str, params: JobData, status: JobStatus, now: datetime) -> Job:
    return Job(
        id=str(ULID()),
        user_id=user_id,
        kind=kind,
        status=status,
        params=dict(params),
        progress={},
        created_at=now,
        updated_at=now,
    )


def execute(job: Job, handlers: JobHandlers, reporter: JobReporter) -> tuple[JobStatus, JobData]:
    """Run the job's handler once: ("done", result), ("failed", progress with "error"), or
    ("queued", checkpoint) when its time slice ran out (the adapter queues it again).
    Any exception but JobFailed propagates: the adapter retries the job (the handler is
    idempotent) until MAX_ATTEMPTS, then calls `gave_up`."""
    handler = handlers.get(job.kind)
    if handler is None:
        return "failed", {**job.progress, "error": f"no handler for jobs of kind {job.kind!r}"}
    try:
        outcome = handler(job, reporter)
    except JobFailed as failure:
        base = failure.progress if failure.progress is not None else job.progress
        return "failed", {**base, "error": failure.message}
    if isinstance(outcome, Continue):
        return "queued", dict(outcome.progress)
    return "done", dict(outcome)


def gave_up(job: Job, error: BaseException) -> tuple[JobStatus, JobData]:
    log.error(
        "job %s (%s) failed after %d attempts", job.id, job.kind, job.attempts, exc_info=error
    )
    return "failed", {**job.progress, "error": INTERNAL_ERROR}


def finished(job: Job, status: JobStatus, progress: JobData, now: datetime) -> Job:
    return replace(job, status=status, progress=dict(progress), updated_at=now)
