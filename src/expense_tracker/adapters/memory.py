"""In-memory adapters: the fakes unit tests run on, and the reference for the contract suite."""

from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import BinaryIO

from ..domain.analytics import DayTotal, Summary, day_totals, summarize
from ..domain.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Invalid,
    NotFound,
    PreconditionFailed,
    Unauthorized,
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
from ..domain.profile import Profile, ProfileChanges
from ..domain.summary_totals import FactorOf, SummaryTotals, sum_days
from ..ports import (
    Clock,
    IdempotencyKey,
    ObjectInfo,
    Principal,
    SignupResult,
    StoredObject,
    TokenPair,
    UploadTicket,
)
from ..ports.jobs import Job, JobData, JobHandlers
from ..ports.rates import EuroRates
from ..services.jobs import execute, finished, gave_up

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


class MemoryProfiles:
    def __init__(self, default: str = "USD") -> None:
        self._default = default
        self._profiles: dict[str, Profile] = {}
        self._lock = threading.Lock()

    def default_currency(self, user_id: str) -> str:
        return self.profile(user_id).default_currency

    def set_default_currency(self, user_id: str, currency: str) -> None:
        self.update_profile(user_id, ProfileChanges(default_currency=currency))

    def profile(self, user_id: str) -> Profile:
        return self._profiles.get(user_id, Profile(self._default))

    def update_profile(self, user_id: str, changes: ProfileChanges) -> Profile:
        given = {k: v for k, v in vars(changes).items() if v is not None}
        with self._lock:
            self._profiles[user_id] = replace(self.profile(user_id), **given)
            return self._profiles[user_id]

    def forget(self, user_id: str) -> None:
        self._profiles.pop(user_id, None)


class MemoryIdentity:
    """A fake identity provider: opaque random tokens, no crypto. For unit tests only."""

    def __init__(self) -> None:
        self._passwords: dict[str, tuple[str, str]] = {}  # email -> (user_id, password)
        self._access: dict[str, Principal] = {}
        self._refresh: dict[str, Principal] = {}

    def signup(self, email: str, password: str) -> SignupResult:
        if email in self._passwords:
            raise Conflict("An account with this e-mail already exists")
        user_id = secrets.token_hex(8)
        self._passwords[email] = (user_id, password)
        return SignupResult(user_id, email, confirmation_required=False)

    def confirm(self, email: str, code: str) -> None:
        raise BadRequest("No confirmation is needed")

    def login(self, email: str, password: str) -> TokenPair:
        user_id, expected = self._passwords.get(email, ("", None))
        if expected is None or expected != password:
            raise Unauthorized("Wrong e-mail or password")
        return self._issue(Principal(user_id, email))

    def _issue(self, principal: Principal) -> TokenPair:
        access, refresh = secrets.token_urlsafe(), secrets.token_urlsafe()
        self._access[access] = principal
        self._refresh[refresh] = principal
        return TokenPair(access, refresh, 900)

    def refresh(self, refresh_token: str) -> TokenPair:
        principal = self._refresh.pop(refresh_token, None)
        if principal is None:
            raise Unauthorized("The refresh token is not valid")
        return self._issue(principal)

    def logout(self, refresh_token: str) -> None:
        self._refresh.pop(refresh_token, None)

    def verify(self, access_token: str) -> Principal:
        principal = self._access.get(access_token)
        if principal is None:
            raise Unauthorized("The access token is not valid")
        return principal

    def jwks(self) -> dict[str, object]:
        return {"keys": []}


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
