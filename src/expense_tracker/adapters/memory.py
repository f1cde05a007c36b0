"""In-memory adapters: the fakes unit tests run on, and the reference for the contract suite.
The profiles, identity and jobs fakes live in memory_accounts and memory_jobs, importable here."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import BinaryIO

from ..domain.analytics import DayTotal, Summary, day_totals, summarize
from ..domain.errors import (
    Conflict,
    FieldError,
    Invalid,
    NotFound,
    PreconditionFailed,
)
from ..domain.expense import (
    CategoryCount,
    Expense,
    ExpenseFilter,
    ExpensePage,
    Position,
    Receipt,
)
from ..domain.export_rows import ExportFormat, ExportRow, TextBlock, pages_of, row_blocks
from ..domain.summary_totals import FactorOf, SummaryTotals, sum_days
from ..ports import (
    IdempotencyKey,
    ObjectInfo,
    StoredObject,
    UploadTicket,
)
from ..ports.rates import EuroRates
from .memory_accounts import MemoryIdentity as MemoryIdentity
from .memory_accounts import MemoryProfiles as MemoryProfiles
from .memory_jobs import MemoryJobs as MemoryJobs

# Re-exported (explicitly): the SQLite store imports them here.
from .store_messages import DUPLICATE_ID as DUPLICATE_ID
from .store_messages import IDEMPOTENCY_MISMATCH as IDEMPOTENCY_MISMATCH
from .store_messages import IDEMPOTENCY_RETENTION as IDEMPOTENCY_RETENTION


def sort_key(expense: Expense) -> tuple[date, str]:
    return (expense.date, expense.id)


def is_after(expense: Expense, position: Position | None) -> bool:
    """True when `expense` comes after `position` in newest-first order."""
    return position is None or (expense.date, expense.id) < (position.date, position.id)


class MemoryExpenseStore:
    def __init__(self, profiles: MemoryProfiles | None = None) -> None:
        self._lock = threading.Lock()
        self._expenses: dict[tuple[str, str], Expense] = {}
        self._idempotency: dict[tuple[str, str], tuple[str, Expense]] = {}
        self._profiles = profiles  # delete_user forgets the profile too, as SQLite does

    def add(self, expense: Expense, idempotency: IdempotencyKey | None = None) -> Expense:
        with self._lock:
            if idempotency is not None:
                scoped = (expense.user_id, idempotency.key)
                seen = self._idempotency.get(scoped)
                expired = expense.created_at - IDEMPOTENCY_RETENTION
                if seen is not None and seen[1].created_at >= expired:
                    if seen[0] != idempotency.fingerprint:
                        raise Invalid(FieldError("Idempotency-Key", IDEMPOTENCY_MISMATCH))
                    return seen[1]
            self._check_new([expense])
            if idempotency is not None:
                self._idempotency[scoped] = (idempotency.fingerprint, expense)
            self._expenses[(expense.user_id, expense.id)] = expense
            return expense

    def _check_new(self, expenses: list[Expense]) -> None:
        """Ids are unique per user: a clash is refused, never an overwrite."""
        keys = [(e.user_id, e.id) for e in expenses]
        if len(set(keys)) != len(keys) or any(k in self._expenses for k in keys):
            raise Conflict(DUPLICATE_ID)

    def add_many(self, expenses: list[Expense]) -> None:
        with self._lock:
            self._check_new(expenses)  # before any write: all or nothing
            for expense in expenses:
                self._expenses[(expense.user_id, expense.id)] = expense

    def get(self, user_id: str, expense_id: str) -> Expense:
        with self._lock:
            found = self._expenses.get((user_id, expense_id))
        if found is None:
            raise NotFound("No such expense")
        return found

    def _mine(self, user_id: str, filters: ExpenseFilter) -> list[Expense]:
        with self._lock:
            mine = [e for (u, _), e in self._expenses.items() if u == user_id]
        return sorted((e for e in mine if filters.matches(e)), key=sort_key, reverse=True)

    def list_page(
        self, user_id: str, filters: ExpenseFilter, limit: int, after: Position | None
    ) -> ExpensePage:
        rest = [e for e in self._mine(user_id, filters) if is_after(e, after)]
        items = rest[:limit]
        more = len(rest) > limit
        return ExpensePage(items, Position(items[-1].date, items[-1].id) if more else None)

    def replace(self, expense: Expense, expected_version: int) -> Expense:
        with self._lock:
            current = self._expenses.get((expense.user_id, expense.id))
            if current is None:
                raise NotFound("No such expense")
            if current.version != expected_version:
                raise PreconditionFailed("The expense was changed by someone else")
            self._expenses[(expense.user_id, expense.id)] = expense
            return expense

    def delete(self, user_id: str, expense_id: str) -> Expense:
        with self._lock:
            found = self._expenses.pop((user_id, expense_id), None)
        if found is None:
            raise NotFound("No such expense")
        return found

    def categories(self, user_id: str) -> list[CategoryCount]:
        counts: dict[str, int] = {}
        for e in self._mine(user_id, ExpenseFilter()):
            counts[e.category] = counts.get(e.category, 0) + 1
        return [CategoryCount(name, n) for name, n in sorted(counts.items())]

    def summary(self, user_id: str, date_from: date | None, date_to: date | None) -> Summary:
        return summarize(self._mine(user_id, ExpenseFilter()), date_from, date_to)

    def day_totals(self, user_id: str, filters: ExpenseFilter) -> list[DayTotal]:
        return day_totals(self._mine(user_id, filters))

    def summary_totals(
        self, user_id: str, filters: ExpenseFilter, factor_of: FactorOf | None
    ) -> SummaryTotals:
        return sum_days(self.day_totals(user_id, filters), factor_of)

    def iterate(self, user_id: str, filters: ExpenseFilter) -> Iterator[Expense]:
        yield from self._mine(user_id, filters)

    def export_pages(self, user_id: str, filters: ExpenseFilter) -> Iterator[list[ExportRow]]:
        return pages_of(self.iterate(user_id, filters))

    def export_text(
        self, user_id: str, filters: ExpenseFilter, fmt: ExportFormat
    ) -> Iterator[TextBlock]:
        return row_blocks(self.export_pages(user_id, filters), fmt)

    def delete_user(self, user_id: str) -> list[Receipt]:
        with self._lock:
            doomed = [k for k in self._expenses if k[0] == user_id]
            receipts = [r for k in doomed if (r := self._expenses.pop(k).receipt) is not None]
            for key in [k for k in self._idempotency if k[0] == user_id]:
                del self._idempotency[key]
        if self._profiles is not None:
            self._profiles.forget(user_id)
        return receipts


class MemoryReceiptStore:
    """Receipt bytes in a dict; tickets point nowhere (unit tests upload with `write`)."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.modified: dict[str, datetime] = {}

    def upload_ticket(self, key: str, content_type: str, max_bytes: int) -> UploadTicket:
        return UploadTicket(
            f"memory://{key}", {"key": key, "Content-Type": content_type}, 300, max_bytes
        )

    def inspect(self, key: str) -> StoredObject | None:
        found = self.objects.get(key)
        return None if found is None else StoredObject(len(found[0]), found[0][:64], found[1])

    def read(self, key: str) -> bytes:
        found = self.objects.get(key)
        if found is None:
            raise NotFound("No such receipt")
        return found[0]

    def open_stream(self, key: str) -> BinaryIO:
        return io.BytesIO(self.read(key))

    def write(self, key: str, data: bytes, content_type: str) -> None:
        self.objects[key] = (data, content_type)
        self.modified[key] = datetime.now(UTC)

    def view_url(self, key: str, content_type: str) -> str:
        return f"memory://{key}"

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)
        self.modified.pop(key, None)

    def list_objects(self, prefix: str = "") -> Iterator[ObjectInfo]:
        for key, (data, _) in list(self.objects.items()):
            if key.startswith(prefix):
                yield ObjectInfo(key, len(data), self.modified.get(key, datetime.now(UTC)))


class MemoryRates:
    """Fixed rates for unit tests: {day: {currency: per-euro rate}}; days between fall back to
    the last day before them, as the ECB adapter does."""

    def __init__(self, days: dict[date, dict[str, Decimal]]) -> None:
        self._days = sorted(days.items())

    def on(self, day: date) -> EuroRates | None:
        found = None
        for known, rates in self._days:
            if known > day:
                break
            found = EuroRates(as_of=known, per_euro={"EUR": Decimal(1), **rates})
        return found

    def currencies(self) -> frozenset[str]:
        return frozenset({"EUR"}).union(*(rates for _, rates in self._days))
