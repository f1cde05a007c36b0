"""What a summary is made of, summed by the store: the filtered spending per (day, currency)
and per (category, currency), the latter with its part in the home currency already summed
(each day at its own factor). The store does the per-bucket work (SQLite in SQL, over the
running totals); the service sees O(days x currencies) rows, whatever the expenses.

`sum_days` is the reference: the same figures from plain day totals, in Python (memory and
DynamoDB stores, and SQLite's fallback)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from .analytics import (
    CategoryTotal,
    CurrencyTotal,
    DayTotal,
    MonthTotal,
    Summary,
    build_summary,
)
from .money import from_minor

# Home units per minor unit of `currency` on a day, scaled by 10^SCALE (home.py), None
# without a rate.
FactorOf = Callable[[date, str], int | None]


@dataclass(slots=True)
class DaySum:
    """One day's spending in one currency, every category, and that day's factor. (Not
    frozen, like DayTotal: a summary makes one per day of spending, and a frozen dataclass
    is several times slower to make.)"""

    day: date
    currency: str
    minor: int
    count: int
    factor: int | None  # None: no rate (or no conversion asked)


@dataclass(slots=True)
class CategorySum:
    category: str
    currency: str
    minor: int
    count: int
    home: int | None  # its converted days, scaled by 10^SCALE; None: no day of it converted


@dataclass(frozen=True)
class SummaryTotals:
    days: list[DaySum]
    categories: list[CategorySum]


def sum_days(days: Iterable[DayTotal], factor_of: FactorOf | None) -> SummaryTotals:
    """The reference: one pass over the day totals; each (day, currency)'s factor asked once."""
    by_day: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    by_category: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    factors: dict[tuple[date, str], int | None] = {}
    for t in days:
        key = (t.day, t.currency)
        if key not in factors:
            factors[key] = factor_of(*key) if factor_of else None
        factor = factors[key]
        day, category = by_day[key], by_category[(t.category, t.currency)]
        day[0] += t.minor
        day[1] += t.count
        category[0] += t.minor
        category[1] += t.count
        if factor is not None:
            category[2] += t.minor * factor
            category[3] = 1  # something of it converted
    return SummaryTotals(
        [DaySum(d, c, m, n, factors[(d, c)]) for (d, c), (m, n) in by_day.items()],
        [
            CategorySum(k, c, m, n, home if converted else None)
            for (k, c), (m, n, home, converted) in by_category.items()
        ],
    )


def summary_of_totals(
    totals: SummaryTotals, date_from: date | None, date_to: date | None
) -> Summary:
    """The per-currency summary (integer sums: the same figures as the stores' own summary)."""
    months: dict[tuple[str, str], list[int]] = {}
    for t in totals.days:  # one bucket a day: the currencies' sums come from the months'
        key = (t.day.isoformat()[:7], t.currency)
        bucket = months.get(key)
        if bucket is None:
            months[key] = [t.minor, t.count]
        else:
            bucket[0] += t.minor
            bucket[1] += t.count
    currencies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_, currency), (minor, count) in months.items():
        bucket = currencies[currency]
        bucket[0] += minor
        bucket[1] += count
    return build_summary(
        date_from,
        date_to,
        [CurrencyTotal(c, from_minor(m, c), n) for c, (m, n) in currencies.items()],
        [
            CategoryTotal(t.category, t.currency, from_minor(t.minor, t.currency), t.count)
            for t in totals.categories
        ],
        [MonthTotal(p, c, from_minor(m, c), n) for (p, c), (m, n) in months.items()],
    )
