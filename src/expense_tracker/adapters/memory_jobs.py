"""In-memory jobs: each job run inline when it is enqueued, for unit tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..domain.errors import NotFound
from ..ports import Clock
from ..ports.jobs import Job, JobData, JobHandlers
from ..services.jobs import execute, finished, gave_up


class MemoryJobs:
    """Runs each job inline when it is enqueued (for unit tests): no worker, no thread. A job
    that returns Continue is run again from its checkpoint at once; `out_of_time` says when a
    slice is spent (tests force many slices with `lambda: True`)."""

    def __init__(self, clock: Clock, out_of_time: Callable[[], bool] | None = None) -> None:
        self._clock = clock
        self.out_of_time = out_of_time or (lambda: False)
        self.slices = 0  # how many runs returned Continue
        self._jobs: dict[str, Job] = {}
        self._handlers: JobHandlers = {}

    def bind(self, handlers: JobHandlers) -> None:
        self._handlers = handlers

    def create(self, job: Job) -> Job:
        self._jobs[job.id] = job
        if job.status == "queued":
            return self._run(job)
        return job

    def get(self, user_id: str, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None or job.user_id != user_id:
            raise NotFound("job")
        return job

    def list(self, user_id: str, kind: str, limit: int = 50) -> list[Job]:
        mine = [j for j in self._jobs.values() if j.user_id == user_id and j.kind == kind]
        return mine[::-1][:limit]  # insertion order: ULIDs of one millisecond do not sort

    def enqueue(self, user_id: str, job_id: str) -> Job:
        job = self.get(user_id, job_id)
        if job.status != "waiting_upload":
            return job
        return self._run(replace(job, status="queued"))

    def _run(self, job: Job) -> Job:
        while True:
            running = replace(job, status="running", attempts=job.attempts + 1)
            self._jobs[job.id] = running
            reporter = _MemoryReporter(self, job.id)
            try:
                status, progress = execute(running, self._handlers, reporter)
            except Exception as error:  # a crash: the memory adapter does not retry
                status, progress = gave_up(self._jobs[job.id], error)
            job = finished(self._jobs[job.id], status, progress, self._clock.now())
            self._jobs[job.id] = job
            if status != "queued":
                return job
            self.slices += 1
            job = replace(job, attempts=job.attempts - 1)  # a slice that ended well: no retry


class _MemoryReporter:
    def __init__(self, jobs: MemoryJobs, job_id: str) -> None:
        self._jobs = jobs
        self._id = job_id

    def report(self, progress: JobData) -> None:
        job = self._jobs._jobs[self._id]
        self._jobs._jobs[self._id] = replace(
            job, progress=dict(progress), updated_at=self._jobs._clock.now()
        )

    def out_of_time(self) -> bool:
        return self._jobs.out_of_time()
