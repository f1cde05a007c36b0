"""Migration 10: the date index covers every column and holds each row's CSV line, for rows
that were there before it (backfilled by the index build) and rows written after."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from expense_tracker.adapters.sqlite.db import MIGRATIONS, Database
from expense_tracker.adapters.sqlite.export_sql import AMOUNT_TEXT
from expense_tracker.adapters.sqlite.queries import _amount_text_sql
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.expense import Expense, ExpenseFilter
from expense_tracker.domain.export_rows import row_blocks

from .factories import make_expense, migration_step, new_user, old_database


def _before_export_index(path: Path, expenses: list[Expense]) -> None:
    """A database as the release before migration 10 left it, with rows."""
    old_database(path, migration_step("export_csv TEXT GENERATED"), expenses)


def _csv(store: SqliteExpenseStore, user: str) -> bytes:
    return b"".join(b.data for b in store.export_text(user, ExpenseFilter(), "csv"))


def _expected(store: SqliteExpenseStore, user: str) -> bytes:
    pages = store.export_pages(user, ExpenseFilter())
    return b"".join(b.data for b in row_blocks(pages, "csv"))


def test_rows_from_before_the_migration_export_from_the_index(tmp_path: Path) -> None:
    user = new_user()
    expenses = [
        make_expense(user, amount=f"{n}.05", description=f'=n{n}, "q"',
                     day=date(2025, 1, 1) + timedelta(days=n * 7 % 90))
        for n in range(1, 60)
    ]  # fmt: skip
    path = tmp_path / "before.sqlite3"
    _before_export_index(path, expenses)

    db = Database(path)
    try:
        store = SqliteExpenseStore(db)
        assert db.schema_version() == len(MIGRATIONS)
        assert _csv(store, user) == _expected(store, user)
        assert b'"\'=n1, ""q"""' in _csv(store, user)
        plan = " ".join(
            str(row[3])
            for row in db.connection().execute(
                "EXPLAIN QUERY PLAN SELECT export_csv FROM expenses WHERE user_id = ? "
                "ORDER BY spent_on DESC, id DESC",
                (user,),
            )
        )
        assert "COVERING INDEX expenses_by_date" in plan
    finally:
        db.close()


def test_a_changed_expense_exports_its_new_line(tmp_path: Path) -> None:
    db = Database(tmp_path / "after.sqlite3")
    try:
        store, user = SqliteExpenseStore(db), new_user()
        made = make_expense(user, description="old")
        store.add_many([made])
        store.replace(replace(made, description="new, with a comma", version=2), 1)
        text = _csv(store, user)
        assert text == _expected(store, user)
        assert b'"new, with a comma"' in text
        assert b"old" not in text
    finally:
        db.close()


def test_the_frozen_amount_text_is_what_the_currency_table_gives() -> None:
    # Migration 10 stored lines made with AMOUNT_TEXT; if a currency's digits change, the
    # lines need a new migration (this fails first).
    assert _amount_text_sql() == AMOUNT_TEXT
