"""Per-user daily totals in SQLite (table day_totals), kept in the same transaction as every
expense write, beside the monthly ones (totals.py), so a summary in the home currency reads
O(days in range) rows whatever the number of expenses. Same exact high/low parts as totals.py.

With a text search (`q`) the totals cannot answer: the matching expenses are summed per day
by SQLite itself (one GROUP BY over the date index), never row by row in Python."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from ...domain.analytics import DayTotal
from ...domain.expense import Expense, ExpenseFilter
from ...domain.money import to_minor
from .queries import filter_clauses
from .totals import SPLIT

DayBucket = tuple[str, str, str, str]  # user_id, day (YYYY-MM-DD), currency, category

_UPDATE = (
    "UPDATE day_totals "
    "SET minor_high = minor_high + ?, minor_low = minor_low + ?, count = count + ? "
    "WHERE user_id = ? AND day = ? AND currency = ? AND category = ?"
)
_INSERT = (
    "INSERT INTO day_totals (user_id, day, currency, category, minor_high, minor_low, count) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# Growth only: no CHECK can fail, so an UPSERT is safe (and one executemany).
_GROW = (
    f"{_INSERT} ON CONFLICT (user_id, day, currency, category) DO UPDATE SET "
    "minor_high = minor_high + excluded.minor_high, minor_low = minor_low + excluded.minor_low, "
    "count = count + excluded.count"
)
_DROP_EMPTY = (
    "DELETE FROM day_totals "
    "WHERE user_id = ? AND day = ? AND currency = ? AND category = ? AND count = 0"
)


def deltas(changes: Iterable[tuple[Expense, int]]) -> dict[DayBucket, tuple[int, int, int]]:
    """As totals.deltas, per day: adding (sign 1) or removing (sign -1) each expense."""
    merged: dict[DayBucket, list[int]] = defaultdict(lambda: [0, 0, 0])
    for expense, sign in changes:
        minor = to_minor(expense.amount, expense.currency)
        day = expense.date.isoformat()
        part = merged[(expense.user_id, day, expense.currency, expense.category)]
        part[0] += sign * (minor // SPLIT)
        part[1] += sign * (minor % SPLIT)
        part[2] += sign
    return {b: (high, low, n) for b, (high, low, n) in merged.items() if high or low or n}


def apply(conn: sqlite3.Connection, changes: dict[DayBucket, tuple[int, int, int]]) -> None:
    """Add the deltas to their buckets (inside the caller's write transaction). Deltas that
    only grow (adds) are one UPSERT executemany; the others go bucket by bucket."""
    conn.executemany(_GROW, [(*b, *d) for b, d in changes.items() if min(d) >= 0])
    for bucket, delta in changes.items():
        if min(delta) >= 0:
            continue
        if not conn.execute(_UPDATE, (*delta, *bucket)).rowcount:
            conn.execute(_INSERT, (*bucket, *delta))
        elif delta[2] < 0:
            conn.execute(_DROP_EMPTY, bucket)


def has_row_filters(filters: ExpenseFilter) -> bool:
    """A text or money filter: the running totals cannot answer, the expenses must."""
    return bool(filters.text) or filters.money is not None


def query(user_id: str, filters: ExpenseFilter) -> tuple[str, list[Any]]:
    """(day, currency, category, minor_high, minor_low, count) rows of the filtered expenses."""
    if has_row_filters(filters):
        clauses, params = filter_clauses(user_id, filters)
        return (
            f"SELECT spent_on AS day, currency, category, SUM(amount_minor / {SPLIT}) AS "
            f"minor_high, SUM(amount_minor % {SPLIT}) AS minor_low, COUNT(*) AS count "
            f"FROM expenses WHERE {' AND '.join(clauses)} GROUP BY spent_on, currency, category",
            params,
        )
    where, params = totals_where(user_id, filters)
    return (
        "SELECT day, currency, category, minor_high, minor_low, count FROM day_totals "
        f"WHERE {where}",
        params,
    )


def totals_where(user_id: str, filters: ExpenseFilter) -> tuple[str, list[Any]]:
    """The WHERE clause of `filters` (but a text or money one) on table day_totals."""
    clauses, params = ["user_id = ?"], [user_id]
    if filters.date_from:
        clauses.append("day >= ?")
        params.append(filters.date_from.isoformat())
    if filters.date_to:
        clauses.append("day <= ?")
        params.append(filters.date_to.isoformat())
    if filters.category is not None:
        # The spellings of the category ("Food", "food") from the month totals: casefold runs
        # on a row per month there, not on every day's row here.
        months = ["user_id = ?", "casefold(category) = ?"]
        params += [user_id, filters.category.casefold()]
        for op, day in ((">=", filters.date_from), ("<=", filters.date_to)):
            if day:
                months.append(f"month {op} ?")
                params.append(day.isoformat()[:7])
        clauses.append(
            f"category IN (SELECT category FROM month_totals WHERE {' AND '.join(months)})"
        )
    return " AND ".join(clauses), params


def read(conn: sqlite3.Connection, user_id: str, filters: ExpenseFilter) -> list[DayTotal]:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: thousands of rows, no need for sqlite3.Row
    days: dict[str, date] = {}
    totals = []
    for day, currency, category, high, low, count in cursor.execute(*query(user_id, filters)):
        if day not in days:
            days[day] = date.fromisoformat(day)
        totals.append(DayTotal(days[day], currency, category, high * SPLIT + low, count))
    return totals
