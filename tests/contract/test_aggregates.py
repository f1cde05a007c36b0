"""Categories with counts and the summary: exact, per currency, never mixed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from expense_tracker.domain.analytics import CategoryTotal, CurrencyTotal, MonthTotal
from expense_tracker.domain.expense import CategoryCount
from expense_tracker.ports import ExpenseStore

from .factories import make_expense, new_user


def test_categories_are_counted_per_user(store: ExpenseStore) -> None:
    user = new_user()
    for category in ("Food", "Food", "Travel", "food"):
        store.add(make_expense(user, category=category))
    store.add(make_expense(new_user(), category="Rent"))

    assert store.categories(user) == [
        CategoryCount("Food", 2),
        CategoryCount("Travel", 1),
        CategoryCount("food", 1),
    ]


def test_categories_of_a_new_user_are_empty(store: ExpenseStore) -> None:
    assert store.categories(new_user()) == []


def _seed_summary(store: ExpenseStore) -> str:
    user = new_user()
    for amount, currency, category, day in [
        ("10.10", "EUR", "Food", date(2026, 10, 31)),
        ("0.20", "EUR", "Food", date(2026, 11, 1)),
        ("5.00", "EUR", "Travel", date(2026, 11, 30)),
        ("1000", "JPY", "Food", date(2026, 11, 2)),
        ("0.001", "KWD", "Food", date(2026, 12, 1)),
        ("0.1", "USD", "Food", date(2026, 11, 15)),
        ("0.2", "USD", "Food", date(2026, 11, 16)),
    ]:
        store.add(make_expense(user, amount=amount, currency=currency, category=category, day=day))
    store.add(make_expense(new_user(), amount="999.99", currency="EUR"))
    return user


def test_summary_totals_are_exact_per_currency(store: ExpenseStore) -> None:
    user = _seed_summary(store)

    summary = store.summary(user, None, None)

    assert summary.totals == [
        CurrencyTotal("EUR", Decimal("15.30"), 3),
        CurrencyTotal("JPY", Decimal("1000"), 1),
        CurrencyTotal("KWD", Decimal("0.001"), 1),
        CurrencyTotal("USD", Decimal("0.30"), 2),
    ]
    assert [str(t.amount) for t in summary.totals] == ["15.30", "1000", "0.001", "0.30"]


def test_summary_by_category_keeps_currencies_apart(store: ExpenseStore) -> None:
    user = _seed_summary(store)

    summary = store.summary(user, None, None)

    assert summary.by_category == [
        CategoryTotal("Food", "EUR", Decimal("10.30"), 2),
        CategoryTotal("Travel", "EUR", Decimal("5.00"), 1),
        CategoryTotal("Food", "JPY", Decimal("1000"), 1),
        CategoryTotal("Food", "KWD", Decimal("0.001"), 1),
        CategoryTotal("Food", "USD", Decimal("0.30"), 2),
    ]


def test_summary_by_month_keeps_currencies_apart(store: ExpenseStore) -> None:
    user = _seed_summary(store)

    summary = store.summary(user, None, None)

    assert summary.by_month == [
        MonthTotal("2026-10", "EUR", Decimal("10.10"), 1),
        MonthTotal("2026-11", "EUR", Decimal("5.20"), 2),
        MonthTotal("2026-11", "JPY", Decimal("1000"), 1),
        MonthTotal("2026-11", "USD", Decimal("0.30"), 2),
        MonthTotal("2026-12", "KWD", Decimal("0.001"), 1),
    ]


def test_summary_honours_an_inclusive_period(store: ExpenseStore) -> None:
    user = _seed_summary(store)

    summary = store.summary(user, date(2026, 11, 1), date(2026, 11, 30))

    assert (summary.date_from, summary.date_to) == (date(2026, 11, 1), date(2026, 11, 30))
    assert summary.totals == [
        CurrencyTotal("EUR", Decimal("5.20"), 2),
        CurrencyTotal("JPY", Decimal("1000"), 1),
        CurrencyTotal("USD", Decimal("0.30"), 2),
    ]
    assert [m.month for m in summary.by_month] == ["2026-11"] * 3


def test_summary_with_open_ended_periods(store: ExpenseStore) -> None:
    user = _seed_summary(store)

    since = store.summary(user, date(2026, 11, 30), None)
    until = store.summary(user, None, date(2026, 10, 31))

    assert since.totals == [
        CurrencyTotal("EUR", Decimal("5.00"), 1),
        CurrencyTotal("KWD", Decimal("0.001"), 1),
    ]
    assert until.totals == [CurrencyTotal("EUR", Decimal("10.10"), 1)]


def test_summary_of_nothing_is_empty(store: ExpenseStore) -> None:
    summary = store.summary(new_user(), None, None)

    assert (summary.totals, summary.by_category, summary.by_month) == ([], [], [])


def test_summary_of_huge_amounts_is_exact(store: ExpenseStore) -> None:
    # 1,000 x 10^12 CLF (4 digits) is 10^19 minor units: past a 64-bit integer.
    user = new_user()
    store.add_many(
        [make_expense(user, amount="999999999999.9999", currency="CLF") for _ in range(1_000)]
    )

    summary = store.summary(user, None, None)

    assert summary.totals == [CurrencyTotal("CLF", Decimal("999999999999999.9000"), 1_000)]
