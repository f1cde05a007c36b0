"""The summary's sums in SQLite (ExpenseStore.summary_totals): SQL does the work per (day,
currency, category) bucket, in C; Python sees one row per (day, currency) with spending, asks
its factor once, and one row per (category, currency). So the cost follows the days, not how
full the buckets are.

A (category, currency)'s home part is the sum of each bucket times its day's factor. Factors
are integers scaled by 10^40 (domain/home.py), wider than SQLite's 64-bit integers: each is
cut into 16-bit limbs (a temp table, one row per (day, currency)), SQL sums bucket x limb for
each limb (the bucket in its exact high/low parts, as stored), and Python puts the limbs back
together: the very integer the Python loop makes, so the one rounding gives the same figures.
A low part (< 10^9) times a limb (< 2^16) is < 2^46, so 2^17 days of buckets sum without
overflow. Should a product or a sum overflow anyway (SQLite makes a float of the one, raises
on the other; it never wraps), or a factor need more than LIMBS limbs, the buckets are summed
in Python instead (`sum_days`): the same figures."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from ...domain.analytics import DayTotal
from ...domain.expense import ExpenseFilter
from ...domain.summary_totals import CategorySum, DaySum, FactorOf, SummaryTotals, sum_days
from . import day_totals
from .totals import SPLIT

LIMB_BITS = 16
LIMBS = 12  # 192 bits: an ECB factor scaled by 10^40 needs about 150
_LIMB_MASK = (1 << LIMB_BITS) - 1
_LIMB_COLUMNS = ", ".join(f"f{k} INTEGER NOT NULL" for k in range(LIMBS))
_TEMP_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS summary_factors (day TEXT NOT NULL, currency TEXT NOT "
    f"NULL, converted INTEGER NOT NULL, {_LIMB_COLUMNS}, PRIMARY KEY (day, currency)) "
    "WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS summary_buckets (day TEXT NOT NULL, currency TEXT NOT "
    "NULL, category TEXT NOT NULL, minor_high INTEGER NOT NULL, minor_low INTEGER NOT NULL, "
    "count INTEGER NOT NULL)",
)
_INSERT_FACTOR = f"INSERT INTO temp.summary_factors VALUES ({', '.join('?' * (LIMBS + 3))})"
_BUCKET_COLUMNS = "day, currency, category, minor_high, minor_low, count"


class _InPython(Exception):
    """The limbs cannot carry these sums: sum the buckets in Python."""


def read(
    conn: sqlite3.Connection, user_id: str, filters: ExpenseFilter, factor_of: FactorOf | None
) -> SummaryTotals:
    with _snapshot(conn):
        for statement in _TEMP_TABLES:
            conn.execute(statement)
        source, params = _source(conn, user_id, filters)
        days = _day_sums(conn, source, params, factor_of)
        if factor_of is None:
            return SummaryTotals(days, _category_sums(conn, source, params))
        try:
            return SummaryTotals(days, _converted_category_sums(conn, source, params, days))
        except _InPython:
            return sum_days(_buckets(conn, source, params), factor_of)


@contextmanager
def _snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Every statement in one read transaction: the day and category sums always agree."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")  # of the temp tables only: a read never locks the database


def _source(
    conn: sqlite3.Connection, user_id: str, filters: ExpenseFilter
) -> tuple[str, list[Any]]:
    """What the sums read: the running totals; with a text or money filter, the matching
    expenses summed per bucket, once, into a temp table that both sums read."""
    if not day_totals.has_row_filters(filters):
        where, params = day_totals.totals_where(user_id, filters)
        return f"day_totals WHERE {where}", params
    buckets, params = day_totals.query(user_id, filters)
    conn.execute("DELETE FROM temp.summary_buckets")
    conn.execute(f"INSERT INTO temp.summary_buckets {buckets}", params)
    return "temp.summary_buckets", []


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples
    return cursor.execute(sql, params).fetchall()


def _day_sums(
    conn: sqlite3.Connection, source: str, params: list[Any], factor_of: FactorOf | None
) -> list[DaySum]:
    sql = (
        "SELECT day, currency, SUM(minor_high), SUM(minor_low), SUM(count) "
        f"FROM {source} GROUP BY day, currency"
    )
    sums, days = [], dict[str, date]()
    for text, currency, high, low, count in _rows(conn, sql, params):
        day = days[text] if text in days else days.setdefault(text, date.fromisoformat(text))
        factor = factor_of(day, currency) if factor_of else None
        sums.append(DaySum(day, currency, high * SPLIT + low, count, factor))
    return sums


def _category_sums(conn: sqlite3.Connection, source: str, params: list[Any]) -> list[CategorySum]:
    sql = (
        "SELECT category, currency, SUM(minor_high), SUM(minor_low), SUM(count) "
        f"FROM {source} GROUP BY category, currency"
    )
    return [
        CategorySum(category, currency, high * SPLIT + low, count, None)
        for category, currency, high, low, count in _rows(conn, sql, params)
    ]


def _converted_category_sums(
    conn: sqlite3.Connection, source: str, params: list[Any], days: list[DaySum]
) -> list[CategorySum]:
    widest = max(((d.factor or 0).bit_length() for d in days), default=0)
    limbs = max(1, -(-widest // LIMB_BITS))  # rounded up
    if limbs > LIMBS:
        raise _InPython
    conn.execute("DELETE FROM temp.summary_factors")
    conn.executemany(_INSERT_FACTOR, [_factor_row(d) for d in days])
    products = ", ".join(
        f"SUM(b.minor_high * f.f{k}), SUM(b.minor_low * f.f{k})" for k in range(limbs)
    )
    sql = (
        "SELECT b.category, b.currency, SUM(b.minor_high), SUM(b.minor_low), SUM(b.count), "
        f"MAX(f.converted), {products} FROM (SELECT {_BUCKET_COLUMNS} FROM {source}) AS b "
        "JOIN temp.summary_factors AS f ON f.day = b.day AND f.currency = b.currency "
        "GROUP BY b.category, b.currency"
    )
    try:
        rows = _rows(conn, sql, params)
    except sqlite3.OperationalError as exc:  # a SUM past 64 bits
        if "overflow" not in str(exc):
            raise
        raise _InPython from exc
    if any(type(part) is not int for row in rows for part in row[6:]):
        raise _InPython  # a product past 64 bits turns into a float in SQLite: never trusted
    return [
        CategorySum(category, currency, high * SPLIT + low, count,
                    _joined(parts) if converted else None)
        for category, currency, high, low, count, converted, *parts in rows
    ]  # fmt: skip


def _factor_row(day: DaySum) -> tuple[Any, ...]:
    factor = day.factor or 0
    limbs = [(factor >> (LIMB_BITS * k)) & _LIMB_MASK for k in range(LIMBS)]
    return (day.day.isoformat(), day.currency, int(day.factor is not None), *limbs)


def _joined(parts: list[int]) -> int:
    """The limb sums (high and low part of each) back into one integer."""
    return sum(
        (parts[2 * k] * SPLIT + parts[2 * k + 1]) << (LIMB_BITS * k) for k in range(len(parts) // 2)
    )


def _buckets(conn: sqlite3.Connection, source: str, params: list[Any]) -> list[DayTotal]:
    return [
        DayTotal(date.fromisoformat(day), currency, category, high * SPLIT + low, count)
        for day, currency, category, high, low, count in _rows(
            conn, f"SELECT {_BUCKET_COLUMNS} FROM {source}", params
        )
    ]
