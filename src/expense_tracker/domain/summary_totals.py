"""What a summary is made of, summed by the store: the filtered spending per (month, currency)
and per (category, currency), each with its part in the home currency already summed (each
day at its own factor). The store does the per-bucket work (SQLite over the running totals);
the service sees O(months x currencies) rows, whatever the expenses or days.

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
class MonthSum:
    """One month's spending in one currency, every category; its part in the home currency
    (each day at that day's factor, scaled by 10^SCALE; None: no day of it had a rate), and
    how many of its expenses fell on days without one. (Not frozen: see CategorySum.)"""

    month: str  # YYYY-MM
    currency: str
    minor: int
    count: int
    home: int | None
    unconverted: int


@dataclass(slots=True)
class CategorySum:
    """One category's spending in one currency and its part in the home currency. (Not
    frozen, like DayTotal: a summary makes one per bucket, and a frozen dataclass is several
    times slower to make.)"""

    category: str
    currency: str
    minor: int
    count: int
    home: int | None  # its converted days, scaled by 10^SCALE; None: no day of it converted


@dataclass(frozen=True)
class SummaryTotals:
    months: list[MonthSum]
    categories: list[CategorySum]


def sum_days(days: Iterable[DayTotal], factor_of: FactorOf | None) -> SummaryTotals:
    """The reference: one pass over the day totals; each (day, currency)'s factor asked once."""
    # (month, currency) -> [minor, count, home, 1 if some day of it converted, unconverted]
    by_month: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    by_category: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    factors: dict[tuple[date, str], int | None] = {}
    for t in days:
        key = (t.day, t.currency)
        if key not in factors:
            factors[key] = factor_of(*key) if factor_of else None
        factor = factors[key]
        month = by_month[(t.day.isoformat()[:7], t.currency)]
        category = by_category[(t.category, t.currency)]
        month[0] += t.minor
        month[1] += t.count
        category[0] += t.minor
        category[1] += t.count
        if factor is None:
            month[4] += t.count
        else:
            home = t.minor * factor
            month[2] += home
            month[3] = 1
            category[2] += home
            category[3] = 1  # something of it converted
    return totals_of(by_month, by_category)


def totals_of(
    by_month: dict[tuple[str, str], list[int]], by_category: dict[tuple[str, str], list[int]]
) -> SummaryTotals:
    """SummaryTotals of the running sums `sum_days` keeps (and SQLite's pass, the same)."""
    return SummaryTotals(
        [
            MonthSum(p, c, minor, count, home if converted else None, unconverted)
            for (p, c), (minor, count, home, converted, unconverted) in by_month.items()
        ],
        [
            CategorySum(k, c, minor, count, home if converted else None)
            for (k, c), (minor, count, home, converted) in by_category.items()
        ],
    )


def summary_of_totals(
    totals: SummaryTotals, date_from: date | None, date_to: date | None
) -> Summary:
    """The per-currency summary (integer sums: the same figures as the stores' own summary)."""
    currencies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in totals.months:
        bucket = currencies[t.currency]
        bucket[0] += t.minor
        bucket[1] += t.count
    return build_summary(
        date_from,
        date_to,
        [CurrencyTotal(c, from_minor(m, c), n) for c, (m, n) in currencies.items()],
        [
            CategoryTotal(t.category, t.currency, from_minor(t.minor, t.currency), t.count)
            for t in totals.categories
        ],
        [
            MonthTotal(t.month, t.currency, from_minor(t.minor, t.currency), t.count)
            for t in totals.months
        ],
    )
