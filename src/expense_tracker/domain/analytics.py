"""Totals per currency, by category and by month. Amounts of different currencies never mix."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .expense import Expense


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
