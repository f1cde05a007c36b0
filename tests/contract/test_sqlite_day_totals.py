"""SQLite's per-day totals: backfilled for a database made before them, exact past 64 bits,
and the text-search path summed by SQLite agrees with the reference."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from expense_tracker.adapters.sqlite.db import MIGRATIONS, Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.analytics import DayTotal, day_totals
from expense_tracker.domain.expense import Expense, ExpenseFilter

from .factories import make_expense, migration_step, new_user, old_database


def _before_day_totals(path: Path, expenses: list[Expense]) -> None:
    """A database as the release before the daily totals left it, with rows."""
    old_database(path, migration_step("CREATE TABLE day_totals"), expenses)


def ordered(totals: list[DayTotal]) -> list[DayTotal]:
    return sorted(totals)


def test_migration_backfills_day_totals_exactly(tmp_path: Path) -> None:
    user, other = new_user(), new_user()
    big = "999999999999.9999"  # ~10^16 minor units each: 1,000 of them pass 2^63
    expenses = [make_expense(user, amount=big, currency="CLF") for _ in range(1000)]
    expenses += [
        make_expense(u, amount=f"{i}.25", day=date(2026, 1, 1) + timedelta(days=i % 40))
        for i, u in enumerate([user, other] * 50, start=1)
    ]
    path = tmp_path / "before.sqlite3"
    _before_day_totals(path, expenses)

    db = Database(path)
    try:
        store = SqliteExpenseStore(db)
        assert db.schema_version() == len(MIGRATIONS)
        for who in (user, other):
            mine = [e for e in expenses if e.user_id == who]
            assert ordered(store.day_totals(who, ExpenseFilter())) == ordered(day_totals(mine))
        store.delete(user, expenses[0].id)  # backfilled buckets take later writes
        rest = [e for e in expenses[1:] if e.user_id == user]
        assert ordered(store.day_totals(user, ExpenseFilter())) == ordered(day_totals(rest))
    finally:
        db.close()


def test_text_search_sums_in_sql_like_the_reference(tmp_path: Path) -> None:
    db = Database(tmp_path / "q.sqlite3")
    try:
        store = SqliteExpenseStore(db)
        user = new_user()
        made = [
            make_expense(user, amount="999999999999.9999", currency="CLF", description="Taxi"),
            make_expense(user, amount="999999999999.9999", currency="CLF", description="taxi"),
            make_expense(user, amount="1.00", description="Straße"),
            make_expense(user, amount="2.00", description="lunch", category="Taxi"),
            make_expense(user, amount="4.00", description="train"),
        ]
        store.add_many(made)
        for needle in ("TAXI", "strasse", "a"):
            filters = ExpenseFilter(text=needle)
            expected = day_totals(e for e in made if filters.matches(e))
            assert ordered(store.day_totals(user, filters)) == ordered(expected), needle
    finally:
        db.close()


def test_category_filter_takes_every_spelling_within_the_period(tmp_path: Path) -> None:
    db = Database(tmp_path / "c.sqlite3")
    try:
        store = SqliteExpenseStore(db)
        user, other = new_user(), new_user()
        made = [
            make_expense(user, amount="1.00", category="Food", day=date(2025, 1, 31)),
            make_expense(user, amount="2.00", category="FOOD", day=date(2025, 2, 1)),
            make_expense(user, amount="4.00", category="Straße", day=date(2025, 2, 2)),
            make_expense(user, amount="8.00", category="food", day=date(2025, 3, 1)),
            make_expense(user, amount="16.00", category="Rent", day=date(2025, 2, 3)),
            make_expense(other, amount="32.00", category="Food", day=date(2025, 2, 3)),
        ]
        store.add_many(made)
        for category in ("food", "STRASSE"):
            filters = ExpenseFilter(date(2025, 1, 31), date(2025, 2, 28), category)
            expected = day_totals(e for e in made if e.user_id == user and filters.matches(e))
            assert ordered(store.day_totals(user, filters)) == ordered(expected), category
            assert expected
    finally:
        db.close()
