"""Import use cases on the request side: a ticket to upload a statement, starting the job,
and the job as the API shows it. The job's work is in import_job.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from ..domain.errors import Conflict, FieldError, Invalid, NotFound
from ..domain.imports import IMPORT_KIND, MAX_IMPORT_BYTES, MAX_LISTED_ERRORS
from ..domain.statements import FORMATS
from ..domain.statements.csv_rows import ColumnMapping
from ..ports import Clock, ReceiptStore, UploadTicket
from ..ports.jobs import Job, Jobs
from .jobs import new_job
from .quota import Quota, check_room

# What the upload's Content-Type must be (the ticket pins it); the job checks the bytes.
CONTENT_TYPES = {
    "csv": "text/csv",
    "ofx": "application/x-ofx",
    "qif": "application/qif",
    "camt053": "application/xml",
    "mt940": "text/plain",
}
COUNTERS = ("processed", "imported", "duplicates", "skipped", "error_count")


def upload_key(user_id: str, job_id: str) -> str:
    """Where the statement is uploaded: from the signed-in user and the job, never the client."""
    return f"users/{user_id}/imports/{job_id}/statement"


def create_import(
    *,
    jobs: Jobs,
    receipts: ReceiptStore,
    clock: Clock,
    user_id: str,
    fmt: str,
    size: int,
    partial: bool = False,
    mapping: ColumnMapping | None = None,
    day_first: bool = False,
    quota: Quota | None = None,
) -> tuple[Job, UploadTicket]:
    """A job waiting for its upload, and the ticket to upload up to `size` bytes (if they
    fit the user's storage quota)."""
    _check_request(fmt, size, mapping)
    check_room(receipts, quota, user_id, size=size, field="size")
    params: dict[str, object] = {"format": fmt, "size": size, "partial": partial}
    params["mapping"] = asdict(mapping) if mapping else None
    params["day_first"] = day_first
    job = new_job(
        user_id=user_id, kind=IMPORT_KIND, params=params, status="waiting_upload", now=clock.now()
    )
    job = jobs.create(job)
    ticket = receipts.upload_ticket(upload_key(user_id, job.id), CONTENT_TYPES[fmt], size)
    return job, ticket


def _check_request(fmt: str, size: int, mapping: ColumnMapping | None) -> None:
    errors: list[FieldError] = []
    if fmt not in FORMATS:
        errors.append(FieldError("format", f"must be one of {', '.join(FORMATS)}"))
    if not 1 <= size <= MAX_IMPORT_BYTES:
        errors.append(FieldError("size", f"must be 1 to {MAX_IMPORT_BYTES} bytes"))
    if mapping is not None and fmt != "csv":
        errors.append(FieldError("mapping", "is for CSV files only"))
    if errors:
        raise Invalid(errors)


def get_import(*, jobs: Jobs, user_id: str, job_id: str) -> Job:
    job = jobs.get(user_id, job_id)  # NotFound for another user's job
    if job.kind != IMPORT_KIND:
        raise NotFound("No such import")
    return job


def start_import(
    *, jobs: Jobs, receipts: ReceiptStore, user_id: str, job_id: str, quota: Quota | None = None
) -> Job:
    """Queue the job once its statement is uploaded (Conflict before) and fits the quota
    (refused and removed when not); a job already started is returned as it is (a queued one
    is handed to the worker again: a lost message, or a continuation lost between two slices,
    is repaired by starting again)."""
    job = get_import(jobs=jobs, user_id=user_id, job_id=job_id)
    if job.status == "queued":
        return jobs.enqueue(user_id, job_id)
    if job.status != "waiting_upload":
        return job
    key = upload_key(user_id, job_id)
    uploaded = receipts.inspect(key)
    if uploaded is None:
        raise Conflict("Nothing was uploaded for this import; upload the file first")
    try:
        check_room(receipts, quota, user_id, size=uploaded.size, field="file", besides=[key])
    except Invalid:
        receipts.delete(key)
        raise
    return jobs.enqueue(user_id, job_id)


def list_imports(*, jobs: Jobs, user_id: str, limit: int = 50) -> list[Job]:
    return jobs.list(user_id, IMPORT_KIND, limit)


def import_view(job: Job) -> dict[str, Any]:
    """The job as GET /api/imports/{id} answers it."""
    progress: Mapping[str, Any] = job.progress
    errors = list(progress.get("errors") or [])[:MAX_LISTED_ERRORS]
    view: dict[str, Any] = {"id": job.id, "format": job.params.get("format"), "status": job.status}
    view.update({name: int(progress.get(name) or 0) for name in COUNTERS})
    view["errors"] = [{"line": int(e["line"]), "message": str(e["message"])} for e in errors]
    if job.status == "failed" and not errors and progress.get("error"):
        view["errors"] = [{"line": 0, "message": str(progress["error"])}]
        view["error_count"] = max(view["error_count"], 1)
    return view
