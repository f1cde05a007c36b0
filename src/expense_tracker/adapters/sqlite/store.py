"""The ExpenseStore and Profiles ports on SQLite (see db.py for pragmas and migrations).

Behaves exactly like the memory store, which is the reference; the contract suite proves it.
Every expense write updates the monthly and daily totals (totals.py, day_totals.py) in its
own transaction, so the
summary and categories read totals rather than scanning the user's expenses."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

from ...domain.analytics import DayTotal, Summary
from ...domain.errors import FieldError, Invalid, NotFound, PreconditionFailed
from ...domain.expense import CategoryCount, Expense, ExpenseFilter, ExpensePage, Position, Receipt
from ...domain.export_rows import (
    EXPORT_PAGE,
    ExportFormat,
    ExportRow,
    TextBlock,
    text_blocks,
)
from ...domain.profile import Profile, ProfileChanges
from ...domain.records import expense_from_record, expense_to_record
from ...domain.summary_totals import FactorOf, SummaryTotals
from ...ports import IdempotencyKey, RowPage
from ..memory import IDEMPOTENCY_MISMATCH, IDEMPOTENCY_RETENTION
from . import day_totals, summary_sums, totals
from .db import Database, storage_errors
from .export_pages import text_pages
from .group_commit import Bulk
from .queries import (
    EXPORT_SELECT,
    SELECT,
    UPDATE,
    export_rows,
    insert_rows,
    list_query,
    moment,
    row_expense,
    row_values,
    search_order,
)

# list_query too: benchmarks/scale.py explains its plans from here.
__all__ = ["SqliteExpenseStore", "SqliteProfiles", "list_query"]

ITERATE_PAGE = 500  # rows per query when exporting: memory stays flat, round trips stay few
PURGE_BATCH = 1000  # old idempotency records removed per add, so no add pays for a backlog
PURGE_EVERY = timedelta(hours=1)


class SqliteExpenseStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._next_purge: datetime | None = None

    def add(self, expense: Expense, idempotency: IdempotencyKey | None = None) -> Expense:
        """Concurrent adds share one commit (group commit): one fsync for many, each still
        durable before it returns, and a failing add undoes only itself. Those without an
        idempotency key (nothing to look up first) are inserted together (Bulk)."""
        bulk = None if idempotency is not None else Bulk(_add_all, expense)
        with storage_errors("add the expense"):
            return self._db.grouped(lambda conn: self._add(conn, expense, idempotency), bulk)

    async def add_async(
        self, expense: Expense, idempotency: IdempotencyKey | None = None
    ) -> Expense:
        """`add`, awaited on an event loop: no thread waits for the group's fsync."""
        bulk = None if idempotency is not None else Bulk(_add_all, expense)
        with storage_errors("add the expense"):
            return await self._db.grouped_async(
                lambda conn: self._add(conn, expense, idempotency), bulk
            )

    def _add(
        self, conn: sqlite3.Connection, expense: Expense, idempotency: IdempotencyKey | None
    ) -> Expense:
        if idempotency is not None:
            first = self._replayed(conn, expense, idempotency)
            if first is not None:
                return first
            self._purge_if_due(conn, expense.created_at)
            conn.execute(
                "INSERT OR REPLACE INTO idempotency_keys "
                "(user_id, key, fingerprint, expense_json, created_at) VALUES (?, ?, ?, ?, ?)",
                (
                    expense.user_id,
                    idempotency.key,
                    idempotency.fingerprint,
                    json.dumps(expense_to_record(expense)),
                    moment(expense.created_at),
                ),
            )
        insert_rows(conn, [row_values(expense)])
        _account(conn, [(expense, 1)])
        return expense

    def _replayed(
        self, conn: sqlite3.Connection, expense: Expense, idempotency: IdempotencyKey
    ) -> Expense | None:
        """The first expense made with this key, if the key is still remembered."""
        row = conn.execute(
            "SELECT fingerprint, expense_json FROM idempotency_keys "
            "WHERE user_id = ? AND key = ? AND created_at >= ?",
            (
                expense.user_id,
                idempotency.key,
                moment(expense.created_at - IDEMPOTENCY_RETENTION),
            ),
        ).fetchone()
        if row is None:
            return None
        if row["fingerprint"] != idempotency.fingerprint:
            raise Invalid(FieldError("Idempotency-Key", IDEMPOTENCY_MISMATCH))
        return expense_from_record(json.loads(row["expense_json"]))

    def _purge_if_due(self, conn: sqlite3.Connection, now: datetime) -> None:
        """Forget expired keys now and then, a bounded batch at a time (index on created_at)."""
        if self._next_purge is not None and now < self._next_purge:
            return
        removed = conn.execute(
            "DELETE FROM idempotency_keys WHERE (user_id, key) IN ("
            " SELECT user_id, key FROM idempotency_keys WHERE created_at < ? LIMIT ?)",
            (moment(now - IDEMPOTENCY_RETENTION), PURGE_BATCH),
        ).rowcount
        # A full batch means a backlog: carry on with the next add.
        self._next_purge = now if removed >= PURGE_BATCH else now + PURGE_EVERY

    def add_many(self, expenses: list[Expense]) -> None:
        if not expenses:
            return
        rows = [row_values(e) for e in expenses]
        with storage_errors("add the expenses"), self._db.write() as conn:
            insert_rows(conn, rows)
            _account(conn, [(e, 1) for e in expenses])

    def get(self, user_id: str, expense_id: str) -> Expense:
        with storage_errors("read the expense"):
            row = (
                self._db.connection()
                .execute(
                    f"{SELECT} WHERE user_id = ? AND id = ?",
                    (user_id, expense_id),
                )
                .fetchone()
            )
        if row is None:
            raise NotFound("No such expense")
        return row_expense(row)

    def list_page(
        self, user_id: str, filters: ExpenseFilter, limit: int, after: Position | None
    ) -> ExpensePage:
        with storage_errors("list expenses"):
            conn = self._db.connection()
            order = search_order(conn, user_id, filters)
            # One more than the page: is there a next?
            sql, params = list_query(user_id, filters, limit + 1, after, order=order)
            rows = conn.execute(sql, params).fetchall()
        items = [row_expense(row) for row in rows[:limit]]
        more = len(rows) > limit
        return ExpensePage(items, Position(items[-1].date, items[-1].id) if more else None)

    def list_rows(
        self, user_id: str, filters: ExpenseFilter, limit: int, after: Position | None
    ) -> RowPage:
        """list_page's page as the API's text, made by SQL (as the export's rows are)."""
        with storage_errors("list expenses"):
            conn = self._db.connection()
            order = search_order(conn, user_id, filters)
            cursor = conn.cursor()
            sql, params = list_query(user_id, filters, limit + 1, after, EXPORT_SELECT, order)
            cursor.row_factory = None  # plain tuples: no sqlite3.Row per row
            rows = export_rows(cursor.execute(sql, params).fetchall())
        items, more = rows[:limit], len(rows) > limit
        last = items[-1] if more else None
        return RowPage(items, Position(date.fromisoformat(last.date), last.id) if last else None)

    def replace(self, expense: Expense, expected_version: int) -> Expense:
        with storage_errors("change the expense"), self._db.write() as conn:
            row = conn.execute(
                f"{SELECT} WHERE user_id = ? AND id = ?",
                (expense.user_id, expense.id),
            ).fetchone()
            if row is None:
                raise NotFound("No such expense")
            if row["version"] != expected_version:
                raise PreconditionFailed("The expense was changed by someone else")
            values = row_values(expense)
            conn.execute(UPDATE, (*values[2:], expense.user_id, expense.id))
            # A new amount, currency, category or month moves the total between buckets.
            _account(conn, [(row_expense(row), -1), (expense, 1)])
        return expense

    def delete(self, user_id: str, expense_id: str) -> Expense:
        with storage_errors("delete the expense"), self._db.write() as conn:
            row = conn.execute(
                f"{SELECT} WHERE user_id = ? AND id = ?",
                (user_id, expense_id),
            ).fetchone()
            if row is None:
                raise NotFound("No such expense")
            conn.execute("DELETE FROM expenses WHERE user_id = ? AND id = ?", (user_id, expense_id))
            removed = row_expense(row)
            _account(conn, [(removed, -1)])
        return removed

    def categories(self, user_id: str) -> list[CategoryCount]:
        with storage_errors("count categories"):
            return totals.categories(self._db.connection(), user_id)

    def summary(self, user_id: str, date_from: date | None, date_to: date | None) -> Summary:
        # One statement, so one snapshot of totals and expenses.
        with storage_errors("sum expenses"):
            return totals.summary(self._db.connection(), user_id, date_from, date_to)

    def day_totals(self, user_id: str, filters: ExpenseFilter) -> list[DayTotal]:
        with storage_errors("sum expenses"):
            return day_totals.read(self._db.connection(), user_id, filters)

    def summary_totals(
        self, user_id: str, filters: ExpenseFilter, factor_of: FactorOf | None
    ) -> SummaryTotals:
        with storage_errors("sum expenses"):
            return summary_sums.read(self._db.connection(), user_id, filters, factor_of)

    def iterate(self, user_id: str, filters: ExpenseFilter) -> Iterator[Expense]:
        # Page by page, each page its own short read: no cursor or transaction stays open
        # between yields (a streaming response may resume on another thread).
        after: Position | None = None
        while True:
            page = self.list_page(user_id, filters, ITERATE_PAGE, after)
            yield from page.items
            if page.next is None:
                return
            after = page.next

    def export_pages(self, user_id: str, filters: ExpenseFilter) -> Iterator[list[ExportRow]]:
        # Keyset pages, each its own short read: no cursor or transaction stays open between
        # pages (a streaming response pulls them from the thread pool, any thread).
        after: Position | None = None
        with storage_errors("export expenses"):
            order = search_order(self._db.connection(), user_id, filters)
        while True:
            sql, params = list_query(user_id, filters, EXPORT_PAGE, after, EXPORT_SELECT, order)
            with storage_errors("export expenses"):
                cursor = self._db.connection().cursor()
                cursor.row_factory = None  # plain tuples: no sqlite3.Row per row
                rows = cursor.execute(sql, params).fetchall()
            if rows:
                yield export_rows(rows)
            if len(rows) < EXPORT_PAGE:
                return
            after = Position(date.fromisoformat(rows[-1][1]), rows[-1][0])

    def export_text(
        self, user_id: str, filters: ExpenseFilter, fmt: ExportFormat
    ) -> Iterator[TextBlock]:
        """The lines come finished from SQLite (export_sql): Python joins a page of them."""
        return text_blocks(text_pages(self._db.connection, user_id, filters, fmt), fmt)

    def delete_user(self, user_id: str) -> list[Receipt]:
        with storage_errors("delete the user's data"), self._db.write() as conn:
            rows = conn.execute(
                f"{SELECT} WHERE user_id = ? AND receipt_key IS NOT NULL",
                (user_id,),
            ).fetchall()
            for table in (
                "expenses",
                "month_totals",
                "idempotency_keys",
                "profiles",
                "import_keys",
                "rules",
                "plans",
                "day_totals",
                "jobs",  # imports, exports, scans: their parameters and results
            ):
                conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
        return [receipt for row in rows if (receipt := row_expense(row).receipt) is not None]


def _add_all(conn: sqlite3.Connection, expenses: list[Expense]) -> list[Expense]:
    """Adds without idempotency keys, all in one insert and one upkeep of the totals."""
    insert_rows(conn, [row_values(e) for e in expenses])
    _account(conn, [(e, 1) for e in expenses])
    return expenses


def _account(conn: sqlite3.Connection, changes: list[tuple[Expense, int]]) -> None:
    """Move the monthly and daily running totals by what the write adds (1) and removes (-1)."""
    totals.apply(conn, totals.deltas(changes))
    day_totals.apply(conn, day_totals.deltas(changes))


class SqliteProfiles:
    """Settings per user id; a user without a row gets the configured default currency."""

    def __init__(self, db: Database, default_currency: str) -> None:
        self._db = db
        self._default = default_currency

    def default_currency(self, user_id: str) -> str:
        return self.profile(user_id).default_currency

    def set_default_currency(self, user_id: str, currency: str) -> None:
        self.update_profile(user_id, ProfileChanges(default_currency=currency))

    def profile(self, user_id: str) -> Profile:
        with storage_errors("read the profile"):
            return self._read(self._db.connection(), user_id)

    def _read(self, conn: sqlite3.Connection, user_id: str) -> Profile:
        row = conn.execute(
            "SELECT default_currency, home_currency, locale FROM profiles WHERE user_id = ?",
            (user_id,),
        ).fetchone()
        return Profile(self._default) if row is None else Profile(*row)

    def update_profile(self, user_id: str, changes: ProfileChanges) -> Profile:
        given = {k: v for k, v in vars(changes).items() if v is not None}
        with storage_errors("save the profile"), self._db.write() as conn:
            profile = replace(self._read(conn, user_id), **given)
            conn.execute(
                "INSERT INTO profiles (user_id, default_currency, home_currency, locale) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
                "default_currency = excluded.default_currency, "
                "home_currency = excluded.home_currency, locale = excluded.locale",
                (user_id, profile.default_currency, profile.home_currency, profile.locale),
            )
        return profile
