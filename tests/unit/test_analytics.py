"""Totals per currency, by category and by month; currencies never mix."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from expense_tracker.domain.analytics import (
    CategoryTotal,
    CurrencyTotal,
    MonthTotal,
    build_summary,
    summarize,
)
from expense_tracker.domain.expense import Expense

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def _expense(amount: str, currency: str, category: str, day: date) -> Expense:
    return Expense(
        id=f"{category}-{day}-{amount}",
        user_id="u",
        amount=Decimal(amount),
        currency=currency,
        category=category,
        description="",
        date=day,
        created_at=NOW,
        updated_at=NOW,
    )


EXPENSES = [
    _expense("0.10", "USD", "Food", date(2026, 10, 31)),
    _expense("0.20", "USD", "Food", date(2026, 11, 1)),
    _expense("5.00", "USD", "Travel", date(2026, 11, 2)),
    _expense("7.00", "EUR", "Food", date(2026, 11, 3)),
    _expense("1000", "JPY", "Food", date(2026, 12, 1)),
]


def test_totals_are_exact_and_per_currency() -> None:
    summary = summarize(EXPENSES, None, None)

    assert summary.totals == [
        CurrencyTotal("EUR", Decimal("7.00"), 1),
        CurrencyTotal("JPY", Decimal("1000"), 1),
        CurrencyTotal("USD", Decimal("5.30"), 3),
    ]


def test_by_category_never_adds_currencies_together() -> None:
    summary = summarize(EXPENSES, None, None)

    assert summary.by_category == [
        CategoryTotal("Food", "EUR", Decimal("7.00"), 1),
        CategoryTotal("Food", "JPY", Decimal("1000"), 1),
        CategoryTotal("Travel", "USD", Decimal("5.00"), 1),
        CategoryTotal("Food", "USD", Decimal("0.30"), 2),
    ]


def test_by_month_is_per_month_and_currency_in_date_order() -> None:
    summary = summarize(EXPENSES, None, None)

    assert summary.by_month == [
        MonthTotal("2026-10", "USD", Decimal("0.10"), 1),
        MonthTotal("2026-11", "EUR", Decimal("7.00"), 1),
        MonthTotal("2026-11", "USD", Decimal("5.20"), 2),
        MonthTotal("2026-12", "JPY", Decimal("1000"), 1),
    ]


def test_period_bounds_are_inclusive() -> None:
    summary = summarize(EXPENSES, date(2026, 11, 1), date(2026, 11, 3))

    assert (summary.date_from, summary.date_to) == (date(2026, 11, 1), date(2026, 11, 3))
    assert summary.totals == [
        CurrencyTotal("EUR", Decimal("7.00"), 1),
        CurrencyTotal("USD", Decimal("5.20"), 2),
    ]


def test_nothing_in_the_period_gives_empty_lists() -> None:
    summary = summarize(EXPENSES, date(2030, 1, 1), None)

    assert (summary.totals, summary.by_category, summary.by_month) == ([], [], [])


def test_many_small_amounts_sum_without_float_error() -> None:
    cents = [_expense("0.10", "USD", "Food", date(2026, 1, 1)) for _ in range(1000)]

    assert summarize(cents, None, None).totals == [CurrencyTotal("USD", Decimal("100.00"), 1000)]


def test_build_summary_puts_any_input_order_in_one_canonical_order() -> None:
    totals = [CurrencyTotal("USD", Decimal(1), 1), CurrencyTotal("EUR", Decimal(2), 1)]
    categories = [
        CategoryTotal("B", "USD", Decimal(1), 1),
        CategoryTotal("A", "USD", Decimal(1), 1),
        CategoryTotal("C", "USD", Decimal(9), 1),
    ]
    months = [
        MonthTotal("2026-02", "EUR", Decimal(1), 1),
        MonthTotal("2026-01", "USD", Decimal(1), 1),
    ]

    summary = build_summary(None, None, totals, categories, months)

    assert [t.currency for t in summary.totals] == ["EUR", "USD"]
    assert [c.category for c in summary.by_category] == ["C", "A", "B"]
    assert [m.month for m in summary.by_month] == ["2026-01", "2026-02"]
