"""Expense use cases: add, list, get, change, delete, categories, summary."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from ..domain.errors import Conflict, FieldError, Invalid, NotFound, PreconditionFailed
from ..domain.expense import (
    DEFAULT_CATEGORIES,
    CategoryCount,
    Expense,
    ExpenseDraft,
    ExpenseFilter,
    Position,
    RawExpense,
    Receipt,
    apply_changes,
    validate_changes,
    validate_draft,
)
from ..domain.export_rows import export_row, json_record
from ..ports import (
    Clock,
    ExpenseStore,
    IdempotencyKey,
    ListsRows,
    Profiles,
    ReceiptStore,
    RowPage,
)
from .cursors import CursorCodec

MAX_PAGE = 200
IDEMPOTENCY_KEY_MAX = 255


def new_expense(user_id: str, draft: ExpenseDraft, clock: Clock) -> Expense:
    from ulid import ULID  # here: the Lambda lane's cold reads make no id (its import costs)

    now = clock.now()
    return Expense(
        id=str(ULID()),
        user_id=user_id,
        amount=draft.amount,
        currency=draft.currency,
        category=draft.category,
        description=draft.description,
        date=draft.date,
        created_at=now,
        updated_at=now,
    )


def fingerprint(raw: RawExpense) -> str:
    canonical = json.dumps(asdict(raw), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def add_expense(
    *,
    store: ExpenseStore,
    clock: Clock,
    profiles: Profiles,
    user_id: str,
    raw: RawExpense,
    idempotency_key: str | None = None,
    expense_id: str | None = None,
    receipt: Receipt | None = None,
) -> Expense:
    """`expense_id` and `receipt` are set by the scan flow (the expense takes the scan's id)."""
    expense, idempotency = new_add(
        clock=clock,
        profiles=profiles,
        user_id=user_id,
        raw=raw,
        idempotency_key=idempotency_key,
        expense_id=expense_id,
        receipt=receipt,
    )
    return store.add(expense, idempotency)


def new_add(
    *,
    clock: Clock,
    profiles: Profiles,
    user_id: str,
    raw: RawExpense,
    idempotency_key: str | None = None,
    expense_id: str | None = None,
    receipt: Receipt | None = None,
) -> tuple[Expense, IdempotencyKey | None]:
    """An add's expense and key, validated, for the store to add (add_expense, or the fast
    lane's awaited add)."""
    idempotency = None
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= IDEMPOTENCY_KEY_MAX:
            raise Invalid(FieldError("Idempotency-Key", "must be 1 to 255 characters"))
        idempotency = IdempotencyKey(idempotency_key, fingerprint(raw))
    # The profile is read only when the add names no currency (one query less per add).
    default_currency = "" if raw.currency else profiles.default_currency(user_id)
    draft = validate_draft(raw, default_currency=default_currency, today=clock.today())
    expense = new_expense(user_id, draft, clock)
    if expense_id is not None:
        expense = replace(expense, id=expense_id, receipt=receipt)
    return expense, idempotency


@dataclass(frozen=True)
class ListedRecords:
    items: list[dict[str, object]]  # the API's records (services.transfer.public_record)
    next_cursor: str | None


def list_records(
    *,
    store: ExpenseStore,
    cursors: CursorCodec,
    user_id: str,
    filters: ExpenseFilter,
    limit: int = 50,
    cursor: str | None = None,
) -> ListedRecords:
    """A page of the API's records: from the store's rows when it has them, else made from
    its Expenses."""
    after = _page_start(cursors, user_id, filters, limit, cursor)
    if isinstance(store, ListsRows):
        page = store.list_rows(user_id, filters, limit, after)
    else:
        listed = store.list_page(user_id, filters, limit, after)
        page = RowPage([export_row(e) for e in listed.items], listed.next)
    next_cursor = cursors.encode(user_id, filters, page.next) if page.next else None
    return ListedRecords([json_record(row) for row in page.items], next_cursor)


def _page_start(
    cursors: CursorCodec, user_id: str, filters: ExpenseFilter, limit: int, cursor: str | None
) -> Position | None:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(FieldError("limit", f"must be between 1 and {MAX_PAGE}"))
    check_range(filters.date_from, filters.date_to)
    return cursors.decode(user_id, filters, cursor) if cursor else None


def check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise Invalid(FieldError("from", "must not be after 'to'"))


ID_MAX = 64


def known_id(expense_id: str) -> str:
    """An id this app could have made, or NotFound before any store sees it (a 5,000-character
    or binary key is an error in some databases, and must still read as 'no such expense')."""
    if not (0 < len(expense_id) <= ID_MAX and expense_id.isascii() and expense_id.isalnum()):
        raise NotFound("No such expense")
    return expense_id


def get_expense(*, store: ExpenseStore, user_id: str, expense_id: str) -> Expense:
    return store.get(user_id, known_id(expense_id))


ATTEMPTS = 50  # a concurrent writer makes a change re-read the expense and apply it again
BACKOFF_SECONDS = 0.002  # the most a retry waits at first; doubles up to MAX_BACKOFF_SECONDS
MAX_BACKOFF_SECONDS = 0.05


def change_expense(
    *,
    store: ExpenseStore,
    user_id: str,
    expense_id: str,
    change: Callable[[Expense], Expense],
    retry: bool = True,
) -> tuple[Expense, Expense]:
    """Read, change and write back on the version read (optimistic locking). When another
    writer won, re-read and apply `change` again, unless `retry` is off. A `change` that
    returns the expense unchanged writes nothing. Returns the expense before and after."""
    for attempt in range(ATTEMPTS):
        current = get_expense(store=store, user_id=user_id, expense_id=expense_id)
        changed = change(current)
        if changed is current:
            return current, current
        try:
            return current, store.replace(changed, expected_version=current.version)
        except PreconditionFailed:
            if not retry:
                raise
        # Random waits split the writers that collided, so one of them wins the next round.
        time.sleep(random.uniform(0, min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2**attempt)))
    # The client asked for no version: a 412 would answer a question it never asked.
    raise Conflict("The expense keeps changing; try again")


def update_expense(
    *,
    store: ExpenseStore,
    clock: Clock,
    user_id: str,
    expense_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> Expense:
    """Apply a partial change. With `if_match`, a stale version is refused; without it,
    a concurrent writer makes us re-read and retry rather than lose its change."""

    def change(current: Expense) -> Expense:
        if if_match is not None and current.version != if_match:
            raise PreconditionFailed(f"The expense is at version {current.version}")
        validated = validate_changes(dict(changes), current.currency)
        return current if validated.is_empty() else apply_changes(current, validated, clock.now())

    _, updated = change_expense(
        store=store, user_id=user_id, expense_id=expense_id, change=change, retry=if_match is None
    )
    return updated


def delete_expense(
    *, store: ExpenseStore, receipts: ReceiptStore, user_id: str, expense_id: str
) -> None:
    removed = store.delete(user_id, known_id(expense_id))
    if removed.receipt is not None:
        receipts.delete(removed.receipt.key)


def list_categories(*, store: ExpenseStore, user_id: str) -> list[CategoryCount]:
    """The user's categories with counts, the defaults included (count 0 when unused)."""
    counts = {c.name: c.count for c in store.categories(user_id)}
    for name in DEFAULT_CATEGORIES:
        counts.setdefault(name, 0)
    return [
        CategoryCount(name, n) for name, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    ]
