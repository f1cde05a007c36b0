"""`export_pages`: the same expenses as `iterate`, in the same order, as export rows whose text
is what the API writes (a store may build them without an Expense, as SQLite does)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from expense_tracker.domain.expense import ExpenseFilter, Receipt
from expense_tracker.domain.export_rows import EXPORT_PAGE, export_row, json_record
from expense_tracker.ports import ExpenseStore
from expense_tracker.services.transfer import public_record

from .factories import make_expense, new_user

# Minor digits 0, 2, 3 and 4; the largest amount allowed; the smallest.
AMOUNTS = (("1000", "JPY"), ("0.01", "EUR"), ("1000000000000.00", "USD"), ("1.005", "KWD"),
           ("12.3456", "CLF"), ("7.10", "GBP"))  # fmt: skip


def test_export_rows_are_the_iterated_expenses_as_the_api_writes_them(store: ExpenseStore) -> None:
    user = new_user()
    start = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    expenses = []
    for n, (amount, currency) in enumerate(AMOUNTS):
        made = make_expense(
            user,
            amount=amount,
            currency=currency,
            description=f'=n{n} ünï\n"q"',
            day=date(2026, 1, 1) + timedelta(days=n % 3),
            created_at=start + timedelta(seconds=n),  # some with, some without microseconds
        )
        if n % 2:
            receipt = Receipt("image/png", 10 + n, start, f"users/{user}/receipts/{made.id}/r")
            made = replace(made, receipt=receipt, version=3, recurring_id=f"series-{n}")
        expenses.append(made)
    store.add_many(expenses)
    store.add_many([make_expense(new_user())])  # another user's: never exported

    pages = list(store.export_pages(user, ExpenseFilter()))
    rows = [row for page in pages for row in page]
    iterated = list(store.iterate(user, ExpenseFilter()))
    assert rows == [export_row(e) for e in iterated]
    assert [json_record(r) for r in rows] == [public_record(e) for e in iterated]
    assert {r.amount for r in rows} == {a for a, _ in AMOUNTS}
    assert all(pages)  # no empty page


def test_export_pages_follow_the_filters_and_hold_every_row_once(store: ExpenseStore) -> None:
    user = new_user()
    count = EXPORT_PAGE + 7  # more than a page
    store.add_many(
        [make_expense(user, day=date(2026, 1, 1) + timedelta(days=n % 40)) for n in range(count)]
    )
    store.add_many([make_expense(user, category="Travel")])

    everything = [r.id for page in store.export_pages(user, ExpenseFilter()) for r in page]
    travel = [r.id for page in store.export_pages(user, ExpenseFilter(category="travel"))
              for r in page]  # fmt: skip

    assert len(everything) == len(set(everything)) == count + 1
    assert everything == [e.id for e in store.iterate(user, ExpenseFilter())]
    assert len(travel) == 1
