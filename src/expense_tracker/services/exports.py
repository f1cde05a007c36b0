"""Export jobs: a request asks for an export, a job writes the file as a stream, the client
polls and downloads it through a short-lived signed link.

The file goes to the export-files port (a local file or an S3 multipart upload) block by
block, so memory stays flat however many rows there are. A retried job writes the whole file
again under the same key, replacing what an interrupted attempt left: nothing doubles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO, Literal

from ..domain.errors import FieldError, Invalid
from ..domain.expense import ExpenseFilter
from ..ports import Clock, ExpenseStore, Profiles, ReceiptStore
from ..ports.exports import EXPORT_RETENTION, ExportFiles
from ..ports.jobs import Job, JobData, JobFailed, JobReporter, Jobs
from ..ports.rates import Rates
from .evidence_pack import PackSources, write_pack
from .expenses import check_range
from .jobs import new_job

EXPORT_KIND = "export"
ExportFormat = Literal["csv", "json", "zip"]
FORMATS: dict[str, tuple[str, str]] = {  # format -> (content type, file name stem)
    "csv": ("text/csv; charset=utf-8", "expenses"),
    "json": ("application/json", "expenses"),
    "zip": ("application/zip", "evidence-pack"),
}
REPORT_EVERY_ROWS = 5000


@dataclass(frozen=True)
class ExportDeps:
    """What the export job needs, bound once in bootstrap."""

    store: ExpenseStore
    receipts: ReceiptStore
    files: ExportFiles
    rates: Rates
    profiles: Profiles
    clock: Clock


def request_export(
    *, jobs: Jobs, files: ExportFiles, clock: Clock, user_id: str, fmt: str, filters: ExpenseFilter
) -> Job:
    """Check the request, queue the job (the interim memory jobs run it right here)."""
    if fmt not in FORMATS:
        raise Invalid(FieldError("format", "must be one of csv, json, zip"))
    check_range(filters.date_from, filters.date_to)
    files.sweep(clock.now() - EXPORT_RETENTION)  # cheap: keeps the export folder small
    params = {
        "format": fmt,
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "category": filters.category,
        "q": filters.text,
    }
    job = new_job(
        user_id=user_id, kind=EXPORT_KIND, params=params, status="queued", now=clock.now()
    )
    return jobs.create(job)


def export_key(job: Job) -> str:
    return f"users/{job.user_id}/exports/{job.id}.{job.params['format']}"


def run_export(job: Job, reporter: JobReporter, *, deps: ExportDeps) -> JobData:
    """The job handler: write the whole file, then report its rows and size."""
    fmt = str(job.params.get("format"))
    if fmt not in FORMATS:
        raise JobFailed(f"unknown export format {fmt!r}")
    filters = _filters(job.params)

    def progress(rows: int, written: int) -> None:
        reporter.report({"rows": rows, "bytes": written})

    with deps.files.create(export_key(job), FORMATS[fmt][0]) as sink:
        counted = _Counted(sink)
        rows = _write(fmt, counted, job, filters, deps, lambda n: progress(n, counted.size))
    return {"rows": rows, "bytes": counted.size}


def _write(
    fmt: str,
    sink: _Counted,
    job: Job,
    filters: ExpenseFilter,
    deps: ExportDeps,
    progress: Callable[[int], None],
) -> int:
    if fmt == "zip":
        sources = PackSources(
            store=deps.store,
            receipts=deps.receipts,
            rates=deps.rates,
            user_id=job.user_id,
            filters=filters,
            home_currency=deps.profiles.profile(job.user_id).effective_home,
            exported_at=job.created_at,
        )
        return write_pack(sink, sources, progress).rows
    rows = 0
    for block in deps.store.export_text(job.user_id, filters, "csv" if fmt == "csv" else "json"):
        sink.write(block.data)
        before, rows = rows, rows + block.rows
        if rows // REPORT_EVERY_ROWS > before // REPORT_EVERY_ROWS:
            progress(rows)
    return rows


class _Counted:
    """A forward-only writer that counts what passes (no tell: zip uses data descriptors)."""

    def __init__(self, sink: BinaryIO) -> None:
        self._sink = sink
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self._sink.write(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self._sink.flush()

    def close(self) -> None:
        """The port closes the file when its block ends; the zip writer must not."""


def _filters(params: JobData) -> ExpenseFilter:
    def day(name: str) -> date | None:
        value = params.get(name)
        return date.fromisoformat(value) if isinstance(value, str) else None

    def text(name: str) -> str | None:
        value = params.get(name)
        return value if isinstance(value, str) else None

    return ExpenseFilter(day("from"), day("to"), text("category"), text("q"))


@dataclass(frozen=True)
class ExportView:
    id: str
    status: str
    format: str
    rows: int
    bytes: int
    download: str | None
    created_at: datetime
    expires_at: datetime
    error: str | None


def export_status(
    *, jobs: Jobs, files: ExportFiles, clock: Clock, user_id: str, export_id: str
) -> ExportView:
    return view_of(jobs.get(user_id, export_id), files, clock)


def list_exports(*, jobs: Jobs, files: ExportFiles, clock: Clock, user_id: str) -> list[ExportView]:
    return [view_of(job, files, clock) for job in jobs.list(user_id, EXPORT_KIND)]


def view_of(job: Job, files: ExportFiles, clock: Clock) -> ExportView:
    """A finished export has a fresh download link until it expires (then `expired`)."""
    expires_at = job.updated_at + EXPORT_RETENTION
    status: str = job.status
    download = None
    if job.status == "done":
        key = export_key(job)
        if clock.now() < expires_at and files.exists(key):
            download = files.download_url(key, _filename(job))
        else:
            status = "expired"
    error = job.progress.get("error")
    return ExportView(
        id=job.id,
        status=status,
        format=str(job.params.get("format")),
        rows=_int(job.progress.get("rows")),
        bytes=_int(job.progress.get("bytes")),
        download=download,
        created_at=job.created_at,
        expires_at=expires_at,
        error=error if isinstance(error, str) else None,
    )


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _filename(job: Job) -> str:
    fmt = str(job.params["format"])
    return f"{FORMATS[fmt][1]}-{job.created_at.date().isoformat()}.{fmt}"
