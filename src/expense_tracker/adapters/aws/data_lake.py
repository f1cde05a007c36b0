"""The data lake: every expense as JSON Lines in a lake bucket, for Athena or QuickSight, one
object per expense, partitioned by the expense's month,
`expenses/year=YYYY/month=MM/<user>/<expense id>.json`, holding its latest state (one line). The
template's Glue table (partition projection on year and month) reads exactly these keys, so a
query for a month reads that month's objects only.

The copy is made by the jobs worker, not in the request: `DataLakeStore` wraps the expense store
and, after each write batch (an add, an import's batch, a change, a delete, a user's deletion),
queues a "lake" job naming the expenses it touched and the months they were in. `LakeCopier`
runs that job: it reads each expense's current state from the store (the source of truth) and
writes it under its month, deleting the copies in the other months named (a date that moved);
an expense that is gone has all its copies deleted. Running a job twice, or two jobs in either
order, leaves the same objects: the job is idempotent and the lake converges on the store.

A job that cannot be queued is logged and the request still succeeds: the write has already
been committed, and failing the request would only invite the client to repeat it. That copy
catches up on the expense's next change."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from ...domain.analytics import DayTotal, Summary
from ...domain.errors import NotFound, StorageError
from ...domain.expense import CategoryCount, Expense, ExpenseFilter, ExpensePage, Position, Receipt
from ...domain.export_rows import ExportFormat, ExportRow, TextBlock
from ...domain.records import expense_to_record
from ...domain.summary_totals import FactorOf, SummaryTotals
from ...ports import Clock, ExpenseStore, IdempotencyKey
from ...ports.jobs import Job, JobData, JobReporter, Jobs
from ...services.jobs import new_job
from .errors import storage_errors

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

log = logging.getLogger(__name__)
PREFIX = "expenses"
LAKE_JOB = "lake"
# Expenses per lake job: the job's record (params) stays far below DynamoDB's 400 KB item.
EXPENSES_PER_JOB = 500
_DELETE_BATCH = 1000  # S3's limit per DeleteObjects
_PARALLEL_COPIES = 8


def lake_key(user_id: str, expense_id: str, day: date) -> str:
    return f"{PREFIX}/year={day.year:04d}/month={day.month:02d}/{user_id}/{expense_id}.json"


def lake_document(expense: Expense) -> bytes:
    """One JSON Lines record: Athena's JSON SerDe reads one object per line."""
    record: dict[str, Any] = expense_to_record(expense)
    if record["receipt"] is not None:
        record["receipt"].pop("key", None)  # where the bytes live is nobody's business
    return json.dumps(record, separators=(",", ":"), sort_keys=True).encode() + b"\n"


# A touched expense: its id and every date whose month may hold a copy of it.
Touched = dict[str, set[date]]


class DataLakeStore:
    """The expense store, queuing a lake job after each write (reads pass through)."""

    def __init__(self, inner: ExpenseStore, jobs: Jobs, clock: Clock) -> None:
        self._inner = inner
        self._jobs = jobs
        self._clock = clock

    def add(self, expense: Expense, idempotency: IdempotencyKey | None = None) -> Expense:
        stored = self._inner.add(expense, idempotency)
        self._queue(stored.user_id, {stored.id: {stored.date}})
        return stored

    def add_many(self, expenses: list[Expense]) -> None:
        self._inner.add_many(expenses)
        by_user: dict[str, Touched] = {}
        for e in expenses:
            by_user.setdefault(e.user_id, {}).setdefault(e.id, set()).add(e.date)
        for user_id, touched in by_user.items():
            self._queue(user_id, touched)

    def replace(self, expense: Expense, expected_version: int) -> Expense:
        # The month partition follows the date: the old one is named so its copy goes.
        before = self._inner.get(expense.user_id, expense.id)
        stored = self._inner.replace(expense, expected_version)
        self._queue(stored.user_id, {stored.id: {before.date, stored.date}})
        return stored

    def delete(self, user_id: str, expense_id: str) -> Expense:
        removed = self._inner.delete(user_id, expense_id)
        self._queue(user_id, {removed.id: {removed.date}})
        return removed

    def delete_user(self, user_id: str) -> list[Receipt]:
        # The user's objects are spread over every month: their keys come from the store.
        touched: Touched = {}
        for e in self._inner.iterate(user_id, ExpenseFilter()):
            touched.setdefault(e.id, set()).add(e.date)
        receipts = self._inner.delete_user(user_id)
        self._queue(user_id, touched)
        return receipts

    # Reads go to the store unchanged.
    def get(self, user_id: str, expense_id: str) -> Expense:
        return self._inner.get(user_id, expense_id)

    def list_page(
        self, user_id: str, filters: ExpenseFilter, limit: int, after: Position | None
    ) -> ExpensePage:
        return self._inner.list_page(user_id, filters, limit, after)

    def categories(self, user_id: str) -> list[CategoryCount]:
        return self._inner.categories(user_id)

    def summary(self, user_id: str, date_from: date | None, date_to: date | None) -> Summary:
        return self._inner.summary(user_id, date_from, date_to)

    def day_totals(self, user_id: str, filters: ExpenseFilter) -> list[DayTotal]:
        return self._inner.day_totals(user_id, filters)

    def summary_totals(
        self, user_id: str, filters: ExpenseFilter, factor_of: FactorOf | None
    ) -> SummaryTotals:
        return self._inner.summary_totals(user_id, filters, factor_of)

    def iterate(self, user_id: str, filters: ExpenseFilter) -> Iterator[Expense]:
        return self._inner.iterate(user_id, filters)

    def export_pages(self, user_id: str, filters: ExpenseFilter) -> Iterator[list[ExportRow]]:
        return self._inner.export_pages(user_id, filters)

    def export_text(
        self, user_id: str, filters: ExpenseFilter, fmt: ExportFormat
    ) -> Iterator[TextBlock]:
        return self._inner.export_text(user_id, filters, fmt)

    def _queue(self, user_id: str, touched: Touched) -> None:
        items = sorted(touched.items())
        for start in range(0, len(items), EXPENSES_PER_JOB):
            params: JobData = {
                "expenses": [
                    {"id": expense_id, "dates": sorted(d.isoformat() for d in days)}
                    for expense_id, days in items[start : start + EXPENSES_PER_JOB]
                ]
            }
            job = new_job(
                user_id=user_id, kind=LAKE_JOB, params=params, status="queued",
                now=self._clock.now(),
            )  # fmt: skip
            try:
                self._jobs.create(job)
            except StorageError as exc:  # never the SDK's message: it may carry request details
                log.warning("data lake job not queued (%s)", exc)


class LakeCopier:
    """The "lake" job's handler, run by the worker function."""

    def __init__(self, store: ExpenseStore, client: S3Client, bucket: str) -> None:
        self._store = store
        self._s3 = client
        self._bucket = bucket

    def __call__(self, job: Job, reporter: JobReporter) -> JobData:
        del reporter  # one short pass; a retry redoes it whole, with the same result
        entries = cast("list[dict[str, Any]]", job.params["expenses"])
        named = [
            (str(entry["id"]), [date.fromisoformat(d) for d in entry["dates"]]) for entry in entries
        ]
        with ThreadPoolExecutor(max_workers=_PARALLEL_COPIES) as pool:
            copies = list(pool.map(lambda n: self._copy(job.user_id, *n), named))
        stale = [key for _, keys in copies for key in keys]
        self._remove(stale)
        return {"written": sum(written for written, _ in copies), "removed": len(stale)}

    def _copy(self, user_id: str, expense_id: str, days: list[date]) -> tuple[bool, list[str]]:
        """Write the expense's current state (True if it still exists), and the keys of its
        copies that must go."""
        named = {lake_key(user_id, expense_id, d) for d in days}
        try:
            expense = self._store.get(user_id, expense_id)
        except NotFound:
            return False, sorted(named)
        key = lake_key(user_id, expense_id, expense.date)
        with storage_errors("S3", "PutObject"):
            self._s3.put_object(
                Bucket=self._bucket, Key=key, Body=lake_document(expense),
                ContentType="application/x-ndjson",
            )  # fmt: skip
        return True, sorted(named - {key})

    def _remove(self, keys: list[str]) -> None:
        for start in range(0, len(keys), _DELETE_BATCH):
            batch: list[ObjectIdentifierTypeDef] = [
                {"Key": key} for key in keys[start : start + _DELETE_BATCH]
            ]
            with storage_errors("S3", "DeleteObjects"):
                self._s3.delete_objects(
                    Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True}
                )
