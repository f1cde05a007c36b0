"""DynamoDB aggregates: the summary read from running totals equals the reference `summarize`,
costs O(months) rather than O(expenses), and stays exact under concurrent writers."""

from __future__ import annotations

import dataclasses
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest

from expense_tracker.adapters.aws.dynamodb_store import DynamoExpenseStore
from expense_tracker.domain.analytics import summarize
from expense_tracker.domain.expense import Expense, ExpenseFilter
from tests.contract.factories import make_expense, new_user
from tests.support.dynamodb_local import RecordingClient

pytestmark = pytest.mark.aws

PERIODS = [
    (None, None),
    (date(2025, 11, 1), date(2026, 1, 31)),  # whole months
    (date(2025, 11, 17), date(2026, 2, 3)),  # partial months at both ends
    (date(2026, 1, 5), date(2026, 1, 20)),  # inside one month
    (date(2025, 12, 31), None),
    (None, date(2025, 12, 1)),
    (date(2026, 3, 1), date(2026, 2, 1)),  # empty
]


def _random_expenses(user: str, count: int, seed: int) -> list[Expense]:
    rng = random.Random(seed)
    expenses = []
    for _ in range(count):
        currency = rng.choice(["EUR", "USD", "JPY", "KWD"])
        digits = {"EUR": 2, "USD": 2, "JPY": 0, "KWD": 3}[currency]
        expenses.append(
            make_expense(
                user,
                amount=str(Decimal(rng.randint(1, 10**7)).scaleb(-digits)),
                currency=currency,
                category=rng.choice(["Food", "food", "Travel", "Rent #2", "Ünïcode"]),
                day=date(2025, 10, 1) + timedelta(days=rng.randint(0, 150)),
            )
        )
    return expenses


def test_summary_from_aggregates_equals_the_reference_after_every_kind_of_write(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    store = DynamoExpenseStore(dynamodb_client, dynamodb_table)  # type: ignore[arg-type]
    user = new_user()
    expenses = _random_expenses(user, 120, seed=5)
    store.add_many(expenses[:100])
    for expense in expenses[100:]:
        store.add(expense)
    for expense in expenses[:10]:  # move in time, currency and category
        changed = dataclasses.replace(
            expense, date=expense.date + timedelta(days=40), category="Moved", version=2
        )
        store.replace(changed, 1)
    for expense in expenses[10:20]:
        store.delete(user, expense.id)

    stored = list(store.iterate(user, ExpenseFilter()))
    for date_from, date_to in PERIODS:
        assert store.summary(user, date_from, date_to) == summarize(stored, date_from, date_to)
    assert len(stored) == 110


def test_summary_reads_totals_not_expenses(dynamodb_client: object, dynamodb_table: str) -> None:
    recorder = RecordingClient(dynamodb_client)  # type: ignore[arg-type]
    store = DynamoExpenseStore(recorder.as_client(), dynamodb_table)
    user = new_user()
    store.add_many([make_expense(user, day=date(2026, 5, 1 + i % 28)) for i in range(300)])
    recorder.calls.clear()

    summary = store.summary(user, date(2026, 1, 1), date(2026, 12, 31))
    store.categories(user)

    assert summary.totals[0].count == 300
    queries = [c for c in recorder.calls if c.operation == "query"]
    assert all("IndexName" not in c.kwargs for c in queries)  # never the expenses' index
    assert sum(c.answer["Count"] for c in queries) == 2  # one month total, read twice


def test_partial_months_are_summed_from_daily_totals(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    store = DynamoExpenseStore(dynamodb_client, dynamodb_table)  # type: ignore[arg-type]
    user = new_user()
    store.add(make_expense(user, amount="1.00", day=date(2026, 5, 9)))
    store.add(make_expense(user, amount="2.00", day=date(2026, 5, 10)))
    store.add(make_expense(user, amount="4.00", day=date(2026, 6, 30)))
    store.add(make_expense(user, amount="8.00", day=date(2026, 7, 1)))

    summary = store.summary(user, date(2026, 5, 10), date(2026, 6, 30))

    assert [(t.amount, t.count) for t in summary.totals] == [(Decimal("6.00"), 2)]
    assert [(m.month, m.amount) for m in summary.by_month] == [
        ("2026-05", Decimal("2.00")),
        ("2026-06", Decimal("4.00")),
    ]


def test_concurrent_writers_keep_the_totals_exact(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    store = DynamoExpenseStore(dynamodb_client, dynamodb_table)  # type: ignore[arg-type]
    user = new_user()
    same_bucket = [make_expense(user, amount=f"{i}.01", day=date(2026, 8, 8)) for i in range(1, 41)]

    def write(expense: Expense) -> None:
        store.add(expense)
        if int(expense.amount) % 3 == 0:
            store.replace(dataclasses.replace(expense, amount=Decimal("0.50"), version=2), 1)
        if int(expense.amount) % 4 == 0:
            store.delete(user, expense.id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, same_bucket))

    stored = list(store.iterate(user, ExpenseFilter()))
    assert store.summary(user, None, None) == summarize(stored, None, None)
    assert store.summary(user, None, None).totals[0].count == 30


def test_emptied_totals_do_not_show(dynamodb_client: object, dynamodb_table: str) -> None:
    store = DynamoExpenseStore(dynamodb_client, dynamodb_table)  # type: ignore[arg-type]
    user = new_user()
    gone = store.add(make_expense(user, category="Once"))
    store.delete(user, gone.id)

    assert store.categories(user) == []
    summary = store.summary(user, None, None)
    assert (summary.totals, summary.by_category, summary.by_month) == ([], [], [])


def test_day_totals_read_daily_totals_not_expenses(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    # The home-currency summary's input: O(days), whatever the number of expenses.
    recorder = RecordingClient(dynamodb_client)  # type: ignore[arg-type]
    store = DynamoExpenseStore(recorder.as_client(), dynamodb_table)
    user = new_user()
    store.add_many(
        [
            make_expense(
                user, category=("Food", "Rent")[i // 10 % 2], day=date(2026, 5, 1 + i % 10)
            )
            for i in range(300)
        ]
    )
    for filters, days in (
        (ExpenseFilter(date(2026, 1, 1), date(2026, 12, 31)), 20),
        (ExpenseFilter(category="food"), 10),
    ):
        recorder.calls.clear()
        totals = store.day_totals(user, filters)
        assert sum(t.count for t in totals) == 300 * days // 20
        queries = [c for c in recorder.calls if c.operation == "query"]
        assert all("IndexName" not in c.kwargs for c in queries)  # never the expenses' index
        assert sum(c.answer["Count"] for c in queries) == 20  # 10 days x 2 categories
