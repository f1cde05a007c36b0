"""What only the SQLite store has: pragmas, migrations, query plans, purging, errors, backup."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from expense_tracker.adapters.sqlite import store as sqlite_store
from expense_tracker.adapters.sqlite.db import MIGRATIONS, Database
from expense_tracker.adapters.sqlite.queries import list_query
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.errors import StorageError
from expense_tracker.domain.expense import ExpenseFilter, Position
from expense_tracker.ports import IdempotencyKey

from .factories import NOW, make_expense, new_user


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "store.sqlite3")
    yield database
    database.close()


def _plan(db: Database, filters: ExpenseFilter, after: Position | None) -> str:
    sql, params = list_query("u", filters, 51, after)
    rows = db.connection().execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return "\n".join(str(row["detail"]) for row in rows)


@pytest.fixture
def populated(db: Database) -> Database:
    """Enough rows of several users that the planner has real choices."""
    store = SqliteExpenseStore(db)
    for user in ("u", "v", "w"):
        store.add_many(
            [
                make_expense(
                    user, category=("Food", "Travel")[i % 2], day=date(2026, 1, 1 + i % 28)
                )
                for i in range(300)
            ]
        )
    return db


AFTER = Position(date(2026, 1, 15), "01JDX3000000000000000000M0")


@pytest.mark.parametrize("after", [None, AFTER], ids=["first-page", "later-page"])
def test_unfiltered_page_is_read_off_the_date_index(
    populated: Database, after: Position | None
) -> None:
    plan = _plan(populated, ExpenseFilter(), after)

    assert "USING COVERING INDEX expenses_by_date" in plan  # no row looked up in the table
    assert "TEMP B-TREE" not in plan


@pytest.mark.parametrize("after", [None, AFTER], ids=["first-page", "later-page"])
def test_category_page_is_read_off_the_category_index(
    populated: Database, after: Position | None
) -> None:
    plan = _plan(populated, ExpenseFilter(category="food"), after)

    assert "USING INDEX expenses_by_category" in plan
    assert "category_key=?" in plan
    assert "TEMP B-TREE" not in plan


def test_duplicate_check_of_a_busy_day_seeks_the_money_index(populated: Database) -> None:
    # Every expense of one day: on the date index the check would read them all.
    day = date(2026, 1, 3)
    near = ExpenseFilter(day - timedelta(1), day + timedelta(1), money=(Decimal("12.5"), "EUR"))

    plan = _plan(populated, near, None)

    assert "USING INDEX expenses_by_money" in plan
    assert "amount_minor=?" in plan
    assert "TEMP B-TREE" not in plan


def test_later_page_in_a_date_range_seeks_to_the_cursor(populated: Database) -> None:
    window = ExpenseFilter(date_from=date(2026, 1, 2), date_to=date(2026, 1, 20))

    plan = _plan(populated, window, AFTER)

    assert "(spent_on,id)<(?,?)" in plan  # starts at the cursor, not at `to`
    assert "TEMP B-TREE" not in plan


def test_connection_is_durable_and_waits_for_locks(db: Database) -> None:
    conn = db.connection()

    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5_000
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrations_set_the_schema_version_once(tmp_path: Path) -> None:
    path = tmp_path / "again.sqlite3"
    Database(path).close()

    reopened = Database(path)  # runs migrate() again: must be a no-op

    assert reopened.connection().execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    reopened.close()


def test_database_of_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    Database(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")

    with pytest.raises(StorageError):
        Database(path)


def test_sqlite_errors_leave_as_storage_errors(db: Database) -> None:
    store = SqliteExpenseStore(db)
    db.connection().execute("DROP TABLE expenses")

    with pytest.raises(StorageError) as caught:
        store.get("u", "x")

    assert "no such table" not in str(caught.value)  # no internal text for clients
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def _record_count(db: Database) -> int:
    return int(db.connection().execute("SELECT COUNT(*) FROM idempotency_keys").fetchone()[0])


def test_old_idempotency_records_are_purged(db: Database) -> None:
    store = SqliteExpenseStore(db)
    user = new_user()
    for i in range(3):
        store.add(make_expense(user), IdempotencyKey(f"old-{i}", "f"))

    later = make_expense(user, created_at=NOW + timedelta(hours=49))
    store.add(later, IdempotencyKey("new", "f"))

    assert _record_count(db) == 1


def test_purging_is_bounded_per_add(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_store, "PURGE_BATCH", 2)
    store = SqliteExpenseStore(db)
    user = new_user()
    for i in range(5):
        store.add(make_expense(user), IdempotencyKey(f"old-{i}", "f"))
    moment = NOW + timedelta(hours=49)

    store.add(make_expense(user, created_at=moment), IdempotencyKey("a", "f"))
    assert _record_count(db) == 4  # 5 old - 2 + 1 new
    store.add(make_expense(user, created_at=moment), IdempotencyKey("b", "f"))
    store.add(make_expense(user, created_at=moment), IdempotencyKey("c", "f"))

    assert _record_count(db) == 3  # the backlog is gone; a, b, c remain


def test_backup_is_a_complete_copy(db: Database, tmp_path: Path) -> None:
    store = SqliteExpenseStore(db)
    expense = store.add(make_expense(new_user()))
    target = tmp_path / "copy.sqlite3"

    db.backup_to(target)

    copy = Database(target)
    assert SqliteExpenseStore(copy).get(expense.user_id, expense.id) == expense
    assert copy.connection().execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
