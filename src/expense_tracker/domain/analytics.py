"""Totals per currency, by category and by month. Amounts of different currencies never mix."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .expense import Expense
from .money import to_minor


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    amount: Decimal
    count: int


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    currency: str
    amount: Decimal
    count: int


@dataclass(frozen=True)
class MonthTotal:
    month: str  # YYYY-MM
    currency: str
    amount: Decimal
    count: int


@dataclass(frozen=True)
class Summary:
    date_from: date | None
    date_to: date | None
    totals: list[CurrencyTotal]
    by_category: list[CategoryTotal]
    by_month: list[MonthTotal]


def summarize(expenses: Iterable[Expense], date_from: date | None, date_to: date | None) -> Summary:
    """Reference implementation (memory store, tests); SQL stores compute it in the database."""
    totals: dict[str, list[Decimal | int]] = defaultdict(lambda: [Decimal(0), 0])
    categories: dict[tuple[str, str], list[Decimal | int]] = defaultdict(lambda: [Decimal(0), 0])
    months: dict[tuple[str, str], list[Decimal | int]] = defaultdict(lambda: [Decimal(0), 0])
    for e in expenses:
        if (date_from and e.date < date_from) or (date_to and e.date > date_to):
            continue
        for bucket in (
            totals[e.currency],
            categories[(e.category, e.currency)],
            months[(e.date.strftime("%Y-%m"), e.currency)],
        ):
            bucket[0] += e.amount
            bucket[1] += 1
    return build_summary(
        date_from,
        date_to,
        [CurrencyTotal(c, Decimal(a), int(n)) for c, (a, n) in totals.items()],
        [CategoryTotal(k, c, Decimal(a), int(n)) for (k, c), (a, n) in categories.items()],
        [MonthTotal(m, c, Decimal(a), int(n)) for (m, c), (a, n) in months.items()],
    )


def build_summary(
    date_from: date | None,
    date_to: date | None,
    totals: list[CurrencyTotal],
    by_category: list[CategoryTotal],
    by_month: list[MonthTotal],
) -> Summary:
    """Put every store's figures in one canonical order."""
    return Summary(
        date_from,
        date_to,
        sorted(totals, key=lambda t: t.currency),
        sorted(by_category, key=lambda t: (t.currency, -t.amount, t.category)),
        sorted(by_month, key=lambda t: (t.month, t.currency)),
    )


@dataclass(slots=True, order=True)
class DayTotal:
    """One day's spending in one currency and category: integer minor units, exact. (Not
    frozen: a year of a busy user is thousands of them per summary, and a frozen dataclass
    is several times slower to make.)"""

    day: date
    currency: str
    category: str
    minor: int
    count: int


def day_totals(expenses: Iterable[Expense]) -> list[DayTotal]:
    """Reference implementation (memory store, tests) of the stores' per-day totals."""
    sums: dict[tuple[date, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for e in expenses:
        bucket = sums[(e.date, e.currency, e.category)]
        bucket[0] += to_minor(e.amount, e.currency)
        bucket[1] += 1
    return [DayTotal(d, c, k, m, n) for (d, c, k), (m, n) in sorted(sums.items())]
