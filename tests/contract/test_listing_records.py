"""The list route's records, read from the store's rows (SQLite: straight from SQL) or through
its Expenses: the same records and cursors as `public_record` of the store's `list_page`, page by
page, amounts in every currency's digits, receipts and text search included."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from expense_tracker.domain.expense import ExpenseFilter, Receipt
from expense_tracker.ports import ExpenseStore
from expense_tracker.services import expenses as svc
from expense_tracker.services.cursors import CursorCodec
from expense_tracker.services.transfer import public_record

from .factories import make_expense, new_user

CURSORS = CursorCodec(b"c" * 32)
AMOUNTS = [("12.50", "EUR"), ("1000", "JPY"), ("1.234", "BHD"), ("0.05", "USD")]
RECEIPT = Receipt("image/png", 321, datetime(2026, 11, 2, 8, 30, 15, 120000, tzinfo=UTC), "k")


def _fill(store: ExpenseStore, user: str) -> None:
    for i in range(23):
        amount, currency = AMOUNTS[i % len(AMOUNTS)]
        expense = make_expense(
            user,
            amount=amount,
            currency=currency,
            description=f"Lunch {i} café",
            day=date(2026, 10, 1) + timedelta(days=i // 3),
            receipt=RECEIPT if i % 4 == 0 else None,
        )
        store.add(replace(expense, recurring_id="r1") if i % 5 == 0 else expense)


Page = tuple[list[dict[str, object]], str | None]  # (records, next cursor)


def _record_pages(store: ExpenseStore, user: str, filters: ExpenseFilter) -> list[Page]:
    seen: list[Page] = []
    cursor: str | None = None
    while True:
        page = svc.list_records(
            store=store, cursors=CURSORS, user_id=user, filters=filters, limit=4, cursor=cursor
        )
        seen.append((page.items, page.next_cursor))
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def _expense_pages(store: ExpenseStore, user: str, filters: ExpenseFilter) -> list[Page]:
    """The reference: the store's Expenses page by page, each as `public_record` shows it."""
    seen: list[Page] = []
    after = None
    while True:
        page = store.list_page(user, filters, 4, after)
        cursor = CURSORS.encode(user, filters, page.next) if page.next else None
        seen.append(([public_record(e) for e in page.items], cursor))
        if page.next is None:
            return seen
        after = page.next


@pytest.mark.parametrize(
    "filters",
    [
        ExpenseFilter(),
        ExpenseFilter(date_from=date(2026, 10, 2), date_to=date(2026, 10, 5)),
        ExpenseFilter(text="1 CAFÉ"),
        ExpenseFilter(category="food"),
    ],
    ids=["all", "dates", "text", "category"],
)
def test_listed_records_are_the_public_records_of_the_listed_expenses(
    store: ExpenseStore, filters: ExpenseFilter
) -> None:
    user = new_user()
    _fill(store, user)
    _fill(store, new_user())  # another user's rows never show

    records = _record_pages(store, user, filters)

    assert records == _expense_pages(store, user, filters)
    assert sum(len(items) for items, _ in records) > 1
