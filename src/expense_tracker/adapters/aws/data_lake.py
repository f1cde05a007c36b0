"""An ExpenseStore decorator that copies every write into a data-lake bucket as JSON Lines, for
Athena or QuickSight: one object per expense, partitioned by the expense's month,
`expenses/year=YYYY/month=MM/<user>/<expense id>.json`, holding its latest state (one line). The
template's Glue table (partition projection on year and month) reads exactly these keys, so a
query for a month reads that month's objects only. A deleted expense's object is deleted too, and
so is the old copy of an expense whose date moved it to another month.

The store it wraps stays the source of truth. A copy that fails is logged and the request still
succeeds: the write has already been committed, and failing the request would only invite the
client to repeat it. The copy is at most one write behind and catches up on the expense's next
change."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.analytics import DayTotal, Summary
from ...domain.expense import CategoryCount, Expense, ExpenseFilter, ExpensePage, Position, Receipt
from ...domain.export_rows import ExportRow
from ...domain.records import expense_to_record
from ...ports import ExpenseStore, IdempotencyKey

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

log = logging.getLogger(__name__)
PREFIX = "expenses"
_DELETE_BATCH = 1000  # S3's limit per DeleteObjects
_PARALLEL_PUTS = 8


def lake_key(user_id: str, expense_id: str, day: date) -> str:
    return f"{PREFIX}/year={day.year:04d}/month={day.month:02d}/{user_id}/{expense_id}.json"


def _key_of(expense: Expense) -> str:
    return lake_key(expense.user_id, expense.id, expense.date)


def lake_document(expense: Expense) -> bytes:
    """One JSON Lines record: Athena's JSON SerDe reads one object per line."""
    record: dict[str, Any] = expense_to_record(expense)
    if record["receipt"] is not None:
        record["receipt"].pop("key", None)  # where the bytes live is nobody's business
    return json.dumps(record, separators=(",", ":"), sort_keys=True).encode() + b"\n"


class DataLakeStore:
    def __init__(self, inner: ExpenseStore, client: S3Client, bucket: str) -> None:
        self._inner = inner
        self._s3 = client
        self._bucket = bucket

    # Writes: the inner store first, then the copy.
    def add(self, expense: Expense, idempotency: IdempotencyKey | None = None) -> Expense:
        stored = self._inner.add(expense, idempotency)
        self._put(stored)
        return stored

    def add_many(self, expenses: list[Expense]) -> None:
        self._inner.add_many(expenses)
        # An import may hold thousands of rows: copy them in parallel (boto3 clients are
        # thread-safe), each PUT guarded on its own.
        with ThreadPoolExecutor(max_workers=_PARALLEL_PUTS) as pool:
            list(pool.map(self._put, expenses))

    def replace(self, expense: Expense, expected_version: int) -> Expense:
        # The month partition follows the date: read the old one to move the copy if it changed.
        before = self._inner.get(expense.user_id, expense.id)
        stored = self._inner.replace(expense, expected_version)
        self._put(stored)
        if _key_of(before) != _key_of(stored):
            self._guarded("move", lambda: self._remove([_key_of(before)]))
        return stored

    def delete(self, user_id: str, expense_id: str) -> Expense:
        removed = self._inner.delete(user_id, expense_id)
        self._guarded("delete", lambda: self._remove([_key_of(removed)]))
        return removed

    def delete_user(self, user_id: str) -> list[Receipt]:
        # The user's objects are spread over every month: their keys come from the store.
        keys = [_key_of(e) for e in self._inner.iterate(user_id, ExpenseFilter())]
        receipts = self._inner.delete_user(user_id)
        self._guarded("delete user", lambda: self._remove(keys))
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

    def iterate(self, user_id: str, filters: ExpenseFilter) -> Iterator[Expense]:
        return self._inner.iterate(user_id, filters)

    def export_pages(self, user_id: str, filters: ExpenseFilter) -> Iterator[list[ExportRow]]:
        return self._inner.export_pages(user_id, filters)

    # The copy
    def _put(self, expense: Expense) -> None:
        def put() -> None:
            self._s3.put_object(
                Bucket=self._bucket,
                Key=_key_of(expense),
                Body=lake_document(expense),
                ContentType="application/x-ndjson",
            )

        self._guarded("put", put)

    def _remove(self, keys: list[str]) -> None:
        for start in range(0, len(keys), _DELETE_BATCH):
            batch: list[ObjectIdentifierTypeDef] = [
                {"Key": key} for key in keys[start : start + _DELETE_BATCH]
            ]
            self._s3.delete_objects(Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True})

    def _guarded(self, what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except (ClientError, BotoCoreError) as exc:
            # Never the SDK's message: it may carry request details.
            log.warning("data lake %s failed (%s)", what, _code(exc))


def _code(exc: ClientError | BotoCoreError) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "Unknown"))
    return type(exc).__name__
