"""The summary's sums in SQLite (ExpenseStore.summary_totals): one read of the day totals
(one statement, so one snapshot) and one pass over the plain rows, in the order they come
(the day totals' key order: each (day, currency) together), each (day, currency)'s factor
asked once. It is `sum_days` on raw rows, minus a DayTotal object, a parsed date and a
second pass per bucket: the work that remains per bucket is a few integer additions and one
multiplication, the least a per-category home figure can cost (a bucket's share of its
category's home amount depends on its own day's rate).

Measured against doing it in SQL (each 10^40-scaled factor cut in 16-bit limbs, a temp table
of them joined to the buckets, a SUM per limb and part): SQLite's aggregates took about twice
as long as this loop for a full year of buckets, so the loop stays in Python."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date

from ...domain.expense import ExpenseFilter
from ...domain.summary_totals import CategorySum, DaySum, FactorOf, SummaryTotals
from . import day_totals
from .totals import SPLIT


def read(
    conn: sqlite3.Connection, user_id: str, filters: ExpenseFilter, factor_of: FactorOf | None
) -> SummaryTotals:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: thousands of rows
    days: dict[tuple[str, str], list[int]] = {}  # (day, currency) -> [minor, count]
    factors: dict[tuple[str, str], int | None] = {}
    # (category, currency) -> [minor, count, home, 1 if some day of it had a rate]
    categories: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    key: tuple[str, str] | None = None
    day, factor = [0, 0], None
    for text, currency, category, high, low, count in cursor.execute(
        *day_totals.query(user_id, filters)
    ):
        minor = high * SPLIT + low
        if (text, currency) != key:  # rows come grouped by (day, currency): rarely true
            key = (text, currency)
            if key not in days:
                days[key] = [0, 0]
                factors[key] = factor_of(date.fromisoformat(text), currency) if factor_of else None
            day, factor = days[key], factors[key]
        day[0] += minor
        day[1] += count
        sums = categories[(category, currency)]
        sums[0] += minor
        sums[1] += count
        if factor is not None:
            sums[2] += minor * factor
            sums[3] = 1
    return SummaryTotals(
        [
            DaySum(date.fromisoformat(d), c, m, n, factors[(d, c)])
            for (d, c), (m, n) in days.items()
        ],
        [
            CategorySum(k, c, minor, count, home if converted else None)
            for (k, c), (minor, count, home, converted) in categories.items()
        ],
    )
