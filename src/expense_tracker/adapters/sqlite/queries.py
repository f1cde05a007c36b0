"""The SQL of the SQLite expense store: row <-> Expense mapping, filters and keyset pages.

Kept apart from the store's transactions so the query plans can be tested on their own."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from ...domain.currencies import MINOR_UNITS
from ...domain.errors import Conflict
from ...domain.expense import Expense, ExpenseFilter, Position, Receipt
from ...domain.export_rows import ExportRow
from ...domain.money import from_minor, to_minor
from ..memory import DUPLICATE_ID

_COLUMNS = (
    "user_id, id, amount_minor, currency, category, category_key, description, spent_on, "
    "created_at, updated_at, version, "
    "receipt_content_type, receipt_size, receipt_uploaded_at, receipt_key, recurring_id"
)
_NAMES = [name.strip() for name in _COLUMNS.split(",")]
# Every column but the key (user_id, id), in `row_values` order.
UPDATE = (
    f"UPDATE expenses SET {', '.join(f'{name} = ?' for name in _NAMES[2:])} "
    "WHERE user_id = ? AND id = ?"
)
SELECT = f"SELECT {_COLUMNS} FROM expenses"
# Many rows go in through a staging table of the connection (TEMP) and one INSERT ... SELECT:
# the search triggers then fire inside one statement, where FTS5 keeps its pending terms in
# memory; an executemany opens a savepoint per row, where FTS5 flushes them (5x the cost).
_STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS expense_staging ({_COLUMNS})",
    "DELETE FROM temp.expense_staging",
    f"INSERT INTO temp.expense_staging ({_COLUMNS}) VALUES ({', '.join('?' * len(_NAMES))})",
    f"INSERT INTO expenses ({_COLUMNS}) SELECT {_COLUMNS} FROM temp.expense_staging",
)
STAGING = _STAGING  # (create, clear, stage, insert): the import ledger stages its batches too


def _amount_text_sql() -> str:
    """money.minor_text in SQL (C, not a Python call per row): amounts are positive integers."""
    by_digits: dict[int, list[str]] = {}
    for code, digits in MINOR_UNITS.items():
        by_digits.setdefault(digits, []).append(code)

    def text(digits: int) -> str:
        if digits == 0:
            return "CAST(amount_minor AS TEXT)"
        scale = 10**digits
        return f"printf('%d.%0{digits}d', amount_minor / {scale}, amount_minor % {scale})"

    common = max(by_digits, key=lambda digits: len(by_digits[digits]))  # 2: the ELSE
    cases = [
        f"WHEN currency IN ({', '.join(repr(c) for c in sorted(codes))}) THEN {text(digits)}"
        for digits, codes in sorted(by_digits.items())
        if digits != common
    ]  # the codes are ISO 4217's, [A-Z]{3}: nothing to escape
    return f"CASE {' '.join(cases)} ELSE {text(common)} END"


# An ExportRow, field by field: the stored text is the API's already, but for the amount
# (minor units) and the "+00:00" that the API writes as "Z".
EXPORT_SELECT = (
    f"SELECT id, spent_on, {_amount_text_sql()}, currency, category, description, "
    "replace(created_at, '+00:00', 'Z'), replace(updated_at, '+00:00', 'Z'), version, "
    "recurring_id, receipt_content_type, receipt_size, "
    "replace(receipt_uploaded_at, '+00:00', 'Z'), receipt_key FROM expenses"
)


def row_values(e: Expense) -> tuple[Any, ...]:
    r = e.receipt
    return (
        e.user_id,
        e.id,
        to_minor(e.amount, e.currency),
        e.currency,
        e.category,
        e.category.casefold(),
        e.description,
        e.date.isoformat(),
        e.created_at.isoformat(),
        e.updated_at.isoformat(),
        e.version,
        r.content_type if r else None,
        r.size if r else None,
        r.uploaded_at.isoformat() if r else None,
        r.key if r else None,
        e.recurring_id,
    )


def row_expense(row: sqlite3.Row) -> Expense:
    receipt = None
    if row["receipt_key"] is not None:
        receipt = Receipt(
            content_type=row["receipt_content_type"],
            size=row["receipt_size"],
            uploaded_at=datetime.fromisoformat(row["receipt_uploaded_at"]),
            key=row["receipt_key"],
        )
    return Expense(
        id=row["id"],
        user_id=row["user_id"],
        amount=from_minor(row["amount_minor"], row["currency"]),
        currency=row["currency"],
        category=row["category"],
        description=row["description"],
        date=date.fromisoformat(row["spent_on"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        version=row["version"],
        receipt=receipt,
        recurring_id=row["recurring_id"],
    )


def export_rows(rows: list[tuple[Any, ...]]) -> list[ExportRow]:
    """EXPORT_SELECT's tuples, as they are."""
    return list(map(ExportRow._make, rows))


def moment(value: datetime) -> str:
    """Fixed-width UTC text, so moments from any clock compare correctly as strings."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


TRIGRAM = 3  # the FTS5 trigram index finds substrings of at least this many characters
# Below this many trigram candidates a text search reads them and sorts them; above it, it
# walks the user's rows in date order until a page is full (a common word fills one early).
FEW_CANDIDATES = 2000
DATE_ORDER = "ORDER BY spent_on DESC, id DESC"
# The unary + keeps the date index from serving the order, so the plan starts from the
# candidates (by primary key) and sorts them: a search that matches nothing reads nothing.
CANDIDATE_ORDER = "ORDER BY +spent_on DESC, +id DESC"
_CANDIDATES = (
    "SELECT s.id FROM expense_fts CROSS JOIN expense_search s "
    "ON s.rowid = expense_fts.rowid WHERE expense_fts MATCH ? AND s.user_id = ?"
)
_COUNT_CANDIDATES = f"SELECT count(*) FROM ({_CANDIDATES} LIMIT ?)"


def _indexed_needle(filters: ExpenseFilter) -> str | None:
    """The casefolded search text when the trigram index can narrow it, else None."""
    needle = (filters.text or "").casefold()
    # FTS5's query parser ends a string at NUL: such a needle is tested exactly only.
    return needle if len(needle) >= TRIGRAM and "\x00" not in needle else None


def _phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def search_order(conn: sqlite3.Connection, user_id: str, filters: ExpenseFilter) -> str:
    """The ORDER BY for a page of these filters: CANDIDATE_ORDER when the text search's trigram
    candidates are few (counted up to FEW_CANDIDATES + 1), else DATE_ORDER."""
    needle = _indexed_needle(filters)
    if needle is None:
        return DATE_ORDER
    (count,) = conn.execute(
        _COUNT_CANDIDATES, [_phrase(needle), user_id, FEW_CANDIDATES + 1]
    ).fetchone()
    return CANDIDATE_ORDER if count <= FEW_CANDIDATES else DATE_ORDER


def filter_clauses(user_id: str, filters: ExpenseFilter) -> tuple[list[str], list[Any]]:
    """WHERE clauses for the filters; the memory store's `ExpenseFilter.matches` in SQL."""
    clauses, params = ["user_id = ?"], list[Any]([user_id])
    if filters.category is not None:
        clauses.append("category_key = ?")
        params.append(filters.category.casefold())
    if filters.money is not None:
        amount, currency = filters.money
        clauses.append("currency = ? AND amount_minor = ?")
        params += [currency, to_minor(amount, currency)]
    if filters.date_from:
        clauses.append("spent_on >= ?")
        params.append(filters.date_from.isoformat())
    if filters.date_to:
        clauses.append("spent_on <= ?")
        params.append(filters.date_to.isoformat())
    if filters.text:
        needle = filters.text.casefold()
        if _indexed_needle(filters) is not None:
            # The trigram index narrows the rows to those that may match; the exact test below
            # still decides. CROSS JOIN keeps the match as the outer loop: without statistics
            # SQLite may otherwise run the whole MATCH once per row of the user.
            clauses.append(f"id IN ({_CANDIDATES})")
            params += [_phrase(needle), user_id]
        # instr, not LIKE: the needle's % and _ are plain characters, nothing to escape.
        clauses.append("(instr(casefold(description), ?) > 0 OR instr(category_key, ?) > 0)")
        params += [needle] * 2
    return clauses, params


def list_query(
    user_id: str,
    filters: ExpenseFilter,
    limit: int,
    after: Position | None,
    select: str = SELECT,
    order: str = DATE_ORDER,
) -> tuple[str, list[Any]]:
    """One page in (spent_on DESC, id DESC) order, read straight off an index (keyset)."""
    if after is not None and filters.date_to and after.date <= filters.date_to:
        # The keyset bound implies `to`; with both, SQLite seeks by `to` and then steps over
        # every earlier page, so a deep page would cost O(offset).
        filters = dataclasses.replace(filters, date_to=None)
    clauses, params = filter_clauses(user_id, filters)
    if after is not None:
        clauses.append("(spent_on, id) < (?, ?)")
        params += [after.date.isoformat(), after.id]
    # Without statistics SQLite would rather walk the covering date index (migration 10) and
    # test each row's category than seek the category index and look rows up: for a rare
    # category that reads every row of the user. So it is told.
    # Likewise the duplicate check's money filter (after every add): on the date index it
    # read every expense of the day (all of a busy day's adds), on the money index a few rows.
    by_category = filters.category is not None and order == DATE_ORDER
    source = " INDEXED BY expenses_by_category" if by_category else ""
    if filters.money is not None and order == DATE_ORDER:
        source = " INDEXED BY expenses_by_money"
    sql = f"{select}{source} WHERE {' AND '.join(clauses)} {order} LIMIT ?"
    return sql, [*params, limit]


# Up to this many rows (a group commit's adds: group_commit.MAX_GROUP) go in as one multi-row
# INSERT ... VALUES: one statement, so one call into SQLite. A group's writer thread gives the
# GIL up and waits to take it back on each call, while the event loop keeps it busy; through
# the staging table it made five calls and a step per row (by hand, a group of 8 took 2.4-3.2
# ms of work that way, 2.1-2.8 ms this way).
VALUES_ROWS_MAX = 64
_ROW_MARKS = f"({', '.join('?' * len(_NAMES))})"


@cache
def _insert_values(count: int) -> str:
    """The INSERT of `count` rows (one prepared statement per count, in the connection's
    statement cache)."""
    return f"INSERT INTO expenses ({_COLUMNS}) VALUES {', '.join([_ROW_MARKS] * count)}"


def insert_rows(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    try:
        if not rows:
            return
        if len(rows) <= VALUES_ROWS_MAX:
            conn.execute(_insert_values(len(rows)), [value for row in rows for value in row])
            return
        create, clear, stage, insert = _STAGING
        conn.execute(create)
        conn.execute(clear)  # whatever a failed statement left
        conn.executemany(stage, rows)
        conn.execute(insert)
        conn.execute(clear)
    except sqlite3.IntegrityError as exc:
        if exc.sqlite_errorname != "SQLITE_CONSTRAINT_PRIMARYKEY":
            raise
        raise Conflict(DUPLICATE_ID) from exc
