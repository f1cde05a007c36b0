"""SQLite's trigram search index (migration 4): it follows every write, is backfilled for rows
written before it existed, and a search that matches nothing reads the index, not every row."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from expense_tracker.adapters.sqlite import queries
from expense_tracker.adapters.sqlite.db import MIGRATIONS, Database
from expense_tracker.adapters.sqlite.queries import (
    CANDIDATE_ORDER,
    DATE_ORDER,
    list_query,
    search_order,
)
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.expense import ExpenseFilter

from .factories import make_expense, new_user


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "search.sqlite3")
    yield database
    database.close()


def found(store: SqliteExpenseStore, user: str, text: str) -> list[str]:
    page = store.list_page(user, ExpenseFilter(text=text), 50, None)
    return sorted(e.description for e in page.items)


def test_search_follows_adds_changes_and_deletes(db: Database) -> None:
    store = SqliteExpenseStore(db)
    user = new_user()
    lunch = store.add(make_expense(user, description="Lunch at Straße Café"))
    store.add(make_expense(user, description="Train ticket", category="Travel"))
    assert found(store, user, "STRASSE") == ["Lunch at Straße Café"]  # casefold: ß -> ss
    assert found(store, user, "travel") == ["Train ticket"]  # the category is searched too
    changed = dataclasses.replace(lunch, description="Dinner", version=2)
    store.replace(changed, expected_version=1)
    assert found(store, user, "straße") == []
    assert found(store, user, "dinner") == ["Dinner"]
    store.delete(user, lunch.id)
    assert found(store, user, "dinner") == []


def test_short_needles_and_quotes_still_match_exactly(db: Database) -> None:
    store = SqliteExpenseStore(db)
    user = new_user()
    store.add(make_expense(user, description='The "big" one'))
    store.add(make_expense(user, description="ab"))
    assert found(store, user, "ab") == ["ab"]  # under 3 characters: no index, same answer
    assert found(store, user, '"big"') == ['The "big" one']


def test_a_needle_with_nul_is_searched_exactly(db: Database) -> None:
    store = SqliteExpenseStore(db)
    user = new_user()
    store.add(make_expense(user, description="hello world"))
    assert found(store, user, "wor\x00ld'") == []
    assert found(store, user, "o w") == ["hello world"]


def test_another_users_rows_never_match(db: Database) -> None:
    store = SqliteExpenseStore(db)
    mine, theirs = new_user(), new_user()
    store.add(make_expense(theirs, description="Secret sushi"))
    assert found(store, mine, "sushi") == []


def test_rows_written_before_the_index_existed_are_backfilled(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:  # the schema as release 3 left it, one old row
        conn.executescript(script)
    conn.execute(
        "INSERT INTO expenses VALUES ('u', '01JDX30000000000000000000A', 1250, 'EUR', 'Food',"
        " 'Old bakery', '2026-11-24', '2026-11-24T19:00:00.000000Z',"
        " '2026-11-24T19:00:00.000000Z', 1, NULL, NULL, NULL, NULL, 'food')"
    )
    conn.execute("PRAGMA user_version=3")
    conn.commit()
    conn.close()
    db = Database(path)
    try:
        assert found(SqliteExpenseStore(db), "u", "bakery") == ["Old bakery"]
    finally:
        db.close()


def test_a_search_reads_the_trigram_index(db: Database) -> None:
    sql, params = list_query("u", ExpenseFilter(text="nothing like it"), 51, None)
    plan = db.connection().execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    details = " ".join(str(row["detail"]) for row in plan)
    assert "VIRTUAL TABLE INDEX" in details and "expense_fts" in details


def test_the_trigram_match_drives_the_search_not_each_row_of_the_user(db: Database) -> None:
    # The match runs once and finds its rows by rowid; run inside a loop over the user's
    # rows it would cost O(rows x matches): minutes at 100k expenses.
    sql, params = list_query("u", ExpenseFilter(text="taxi"), 51, None)
    plan = db.connection().execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    details = [str(row["detail"]) for row in plan]
    fts = next(i for i, d in enumerate(details) if "expense_fts VIRTUAL TABLE" in d)
    assert "INTEGER PRIMARY KEY (rowid=?)" in details[fts + 1]


def test_a_search_with_few_candidates_starts_from_them_not_from_the_date_index(
    db: Database,
) -> None:
    store = SqliteExpenseStore(db)
    user = new_user()
    store.add(make_expense(user, description="Taxi home"))
    conn = db.connection()
    order = search_order(conn, user, ExpenseFilter(text="nothing like it"))
    assert order == CANDIDATE_ORDER
    sql, params = list_query(user, ExpenseFilter(text="nothing like it"), 51, None, order=order)
    details = " ".join(
        str(row["detail"]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)
    )
    assert "expenses_by_date" not in details and "PRIMARY KEY" in details
    assert search_order(conn, user, ExpenseFilter(category="Food")) == DATE_ORDER


def test_both_plans_give_the_same_pages_in_the_same_order(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteExpenseStore(db)
    user = new_user()
    for day in range(1, 15):  # two taxis a day: the id breaks the tie
        for word in ("taxi", "taxi again", "lunch"):
            store.add(make_expense(user, description=f"{word} {day}", day=date(2026, 2, day)))

    def walk() -> list[str]:
        ids, after = [], None
        while True:
            page = store.list_page(user, ExpenseFilter(text="taxi"), 5, after)
            ids += [e.id for e in page.items]
            if page.next is None:
                return ids
            after = page.next

    few = walk()  # 28 candidates: the candidate plan
    monkeypatch.setattr(queries, "FEW_CANDIDATES", 3)  # now too many: the date index walks
    assert walk() == few and len(few) == 28
