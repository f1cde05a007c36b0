"""The jobs port: long work (imports, exports, scans, recurring occurrences) runs as a job.

A request creates the job and returns at once; a worker runs it later and the client polls.
Locally the jobs live in a table of the SQLite database and a worker process of the server runs
them (a restart resumes what was running); on AWS the records live in DynamoDB and an SQS queue
feeds a worker function; the memory adapter runs each job inline when it is enqueued.

Exactly once: a job may be started more than once (a crash, a kill, a duplicate delivery), so
every handler's work is idempotent: running it again adds nothing twice.

Time slices: a run may have a budget (on AWS, so that no worker invocation runs long). A
handler that can resume asks `reporter.out_of_time()` between steps and, when it says so,
returns `Continue(checkpoint)`: the job is queued again with that progress, and its next run
starts from it. A handler that never asks simply runs to the end."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

JobStatus = Literal["waiting_upload", "queued", "running", "done", "failed"]
FINISHED: frozenset[str] = frozenset({"done", "failed"})

# JSON-able values only: jobs are persisted as JSON (SQLite text, DynamoDB string).
JobData = Mapping[str, object]


@dataclass(frozen=True)
class Job:
    id: str
    user_id: str
    kind: str  # "import", "export", "scan", "recurring", ...
    status: JobStatus
    params: JobData  # what the job was asked to do, fixed at creation
    progress: JobData  # what it has done so far and its result, replaced whole on each report
    created_at: datetime
    updated_at: datetime
    attempts: int = 0  # how many times a worker has started it


class JobFailed(Exception):
    """Raised by a handler for a failure that retrying cannot fix (bad input): the job ends as
    `failed` with this message and the progress given. Any other exception is retried."""

    def __init__(self, message: str, progress: JobData | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.progress = progress


@dataclass(frozen=True)
class Continue:
    """A handler's answer when its time slice is spent: the job goes back to the queue with
    this progress (a checkpoint the next run resumes from; write nothing past it)."""

    progress: JobData


class JobReporter(Protocol):
    def report(self, progress: JobData) -> None:
        """Persist the job's progress so far (also tells the queue the worker is alive)."""
        ...

    def out_of_time(self) -> bool:
        """True once this run's time slice is spent: a handler that can resume should
        return `Continue` at its next checkpoint."""
        ...


# A handler does the job's work and returns its final progress (the result), or Continue.
JobHandler = Callable[[Job, JobReporter], JobData | Continue]
JobHandlers = Mapping[str, JobHandler]


class Jobs(Protocol):
    """Every method but the worker's is scoped to one user: another user's job is NotFound."""

    def create(self, job: Job) -> Job:
        """Store a new job, usually `waiting_upload` or `queued` (then it is enqueued too)."""
        ...

    def get(self, user_id: str, job_id: str) -> Job:
        """Raises NotFound."""
        ...

    def list(self, user_id: str, kind: str, limit: int = 50) -> list[Job]:
        """The user's jobs of one kind, newest first."""
        ...

    def enqueue(self, user_id: str, job_id: str) -> Job:
        """Move a `waiting_upload` job to `queued` and hand it to the worker. Idempotent: a job
        already queued, running or finished is returned unchanged."""
        ...

    def bind(self, handlers: JobHandlers) -> None:
        """Give the adapter the handlers by kind (made after the container that they use)."""
        ...


class Background(Protocol):
    """Work a long-running server does beside its requests (the jobs worker, daily tasks).
    The HTTP app starts each at start-up and stops it at shutdown; the CLI never starts one."""

    def start(self) -> None: ...

    def stop(self) -> None: ...
