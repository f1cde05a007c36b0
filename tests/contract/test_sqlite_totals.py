"""SQLite's monthly totals (sqlite_totals, migration 2): after any mix of writes the summary
equals the reference `summarize`, the backfill of a version-1 database is right, the totals stay
exact past 64 bits, and nothing is left behind for a deleted user or an emptied bucket."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from expense_tracker.adapters.sqlite.db import MIGRATIONS, Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.adapters.sqlite.totals import plan, summary_query
from expense_tracker.domain.analytics import CurrencyTotal, summarize
from expense_tracker.domain.errors import Conflict
from expense_tracker.domain.expense import CategoryCount, Expense

from .factories import make_expense, new_user, old_database

START = date(2025, 11, 10)  # random dates run to mid-March: whole and partial months
SPAN_DAYS = 130
DIGITS = {"EUR": 2, "JPY": 0, "KWD": 3, "CLF": 4}
CATEGORIES = ("Food", "food", "Travel", "Rent #2", "Ünïcode")
PERIODS = [
    (None, None),
    (date(2025, 12, 1), date(2026, 2, 28)),  # whole months only
    (date(2025, 12, 2), date(2026, 2, 27)),  # a day short of whole months at both ends
    (date(2025, 11, 17), date(2026, 2, 3)),  # partial months at both ends
    (date(2025, 11, 1), date(2026, 2, 3)),  # partial at the end only
    (date(2025, 11, 17), date(2026, 1, 31)),  # partial at the start only
    (date(2026, 1, 5), date(2026, 1, 20)),  # inside one month
    (date(2026, 1, 5), date(2026, 2, 20)),  # two partial months, no whole one
    (date(2026, 1, 31), date(2026, 1, 31)),  # one day
    (date(2025, 12, 31), None),
    (None, date(2025, 12, 1)),
    (date(2026, 3, 1), date(2026, 2, 1)),  # empty: from after to
    (date(9999, 12, 15), None),  # partial months next to date.max and date.min
    (None, date(1, 1, 15)),
]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "totals.sqlite3")
    yield database
    database.close()


def _random_expense(rng: random.Random, user: str) -> Expense:
    currency = rng.choice(list(DIGITS))
    amount = Decimal(rng.randint(1, 10**7)).scaleb(-DIGITS[currency])
    return make_expense(
        user,
        amount=str(amount),
        currency=currency,
        category=rng.choice(CATEGORIES),
        day=START + timedelta(days=rng.randrange(SPAN_DAYS)),
    )


def _changed(rng: random.Random, old: Expense) -> Expense:
    """A new version that moves some of amount, currency, category and date (maybe none)."""
    new = _random_expense(rng, old.user_id)
    fields = rng.sample(["money", "category", "date"], rng.randint(0, 3))
    return dataclasses.replace(
        old,
        amount=new.amount if "money" in fields else old.amount,
        currency=new.currency if "money" in fields else old.currency,
        category=new.category if "category" in fields else old.category,
        date=new.date if "date" in fields else old.date,
        description="changed",
        version=old.version + 1,
    )


def _random_write(
    rng: random.Random, store: SqliteExpenseStore, users: list[str], live: dict[str, Expense]
) -> None:
    """One add, import, change or delete, mirrored into `live` (the expected expenses)."""
    user = rng.choice(users)
    mine = sorted(e.id for e in live.values() if e.user_id == user)
    kind = rng.choice(["add", "import", "change", "change", "delete"])
    if kind == "add" or not mine:
        expense = store.add(_random_expense(rng, user))
        live[expense.id] = expense
    elif kind == "import":
        batch = [_random_expense(rng, user) for _ in range(rng.randint(1, 30))]
        store.add_many(batch)
        live.update((e.id, e) for e in batch)
    elif kind == "change":
        old = live[rng.choice(mine)]
        live[old.id] = store.replace(_changed(rng, old), old.version)
    else:
        del live[store.delete(user, rng.choice(mine)).id]


def _stored_totals(db: Database) -> list[tuple[object, ...]]:
    rows = db.connection().execute("SELECT * FROM month_totals ORDER BY 1, 2, 3, 4")
    return [tuple(row) for row in rows]


def _recomputed_totals(db: Database) -> list[tuple[object, ...]]:
    """What migration 2's backfill would make of the expenses as they are now."""
    rows = db.connection().execute(
        "SELECT user_id, substr(spent_on, 1, 7), currency, category, "
        "SUM(amount_minor / 1000000000), SUM(amount_minor % 1000000000), COUNT(*) "
        "FROM expenses GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
    )
    return [tuple(row) for row in rows]


def _periods(rng: random.Random) -> list[tuple[date | None, date | None]]:
    def day() -> date | None:
        return rng.choice([None, START + timedelta(days=rng.randrange(-5, SPAN_DAYS + 5))])

    return PERIODS + [(day(), day()) for _ in range(25)]


def _categories(expenses: list[Expense]) -> list[CategoryCount]:
    return [CategoryCount(n, c) for n, c in sorted(Counter(e.category for e in expenses).items())]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_summary_equals_the_reference_after_random_adds_changes_deletes_and_imports(
    db: Database, seed: int
) -> None:
    rng = random.Random(seed)
    store = SqliteExpenseStore(db)
    users = [new_user(), new_user()]
    live: dict[str, Expense] = {}

    for _ in range(300):
        _random_write(rng, store, users, live)

    assert _stored_totals(db) == _recomputed_totals(db)  # no drift, no emptied bucket left
    for user in users:
        mine = [e for e in live.values() if e.user_id == user]
        assert store.categories(user) == _categories(mine)
        for date_from, date_to in _periods(rng):
            expected = summarize(mine, date_from, date_to)
            assert store.summary(user, date_from, date_to) == expected, (date_from, date_to)


def test_migration_backfills_the_totals_of_an_existing_database(tmp_path: Path) -> None:
    rng = random.Random(7)
    users = [new_user(), new_user()]
    expenses = [_random_expense(rng, users[i % 2]) for i in range(400)]
    # 1,000 x ~10^16 minor units: the backfill's sums must be exact past 2^63 too.
    huge = [make_expense(users[0], amount="999999999999.9999", currency="CLF") for _ in range(1000)]
    path = tmp_path / "v1.sqlite3"
    old_database(path, 1, expenses + huge)  # before the totals: migration 1 only

    db = Database(path)
    try:
        store = SqliteExpenseStore(db)
        assert db.schema_version() == len(MIGRATIONS)
        for user in users:
            mine = [e for e in expenses + huge if e.user_id == user]
            assert store.categories(user) == _categories(mine)
            for start, end in _periods(rng):
                assert store.summary(user, start, end) == summarize(mine, start, end)
        store.delete(users[1], expenses[1].id)  # backfilled buckets take later writes
        assert _stored_totals(db) == _recomputed_totals(db)
    finally:
        db.close()


def test_totals_stay_exact_past_64_bits_through_every_kind_of_write(db: Database) -> None:
    store = SqliteExpenseStore(db)
    user = new_user()
    big = "999999999999.9999"  # 9,999,999,999,999,999 CLF minor units, about 2^53
    ninth = date(2026, 12, 9)
    store.add_many([make_expense(user, amount=big, currency="CLF", day=ninth) for _ in range(600)])
    for _ in range(400):
        store.add(make_expense(user, amount=big, currency="CLF", day=ninth))
    kept = store.add(make_expense(user, amount=big, currency="CLF", day=date(2026, 12, 10)))
    gone = store.add(make_expense(user, amount=big, currency="CLF"))
    store.replace(dataclasses.replace(kept, amount=Decimal("0.0001"), version=2), 1)
    store.delete(user, gone.id)

    expected = Decimal(big) * 1000 + Decimal("0.0001")  # 1,000 x ~10^16 minor units: past 2^63
    assert expected.scaleb(4) > 2**63
    assert store.summary(user, None, None).totals == [CurrencyTotal("CLF", expected, 1001)]
    # A partial month is summed from the expenses: exact past 2^63 as well.
    december = store.summary(user, date(2026, 12, 1), ninth)
    assert december.totals == [CurrencyTotal("CLF", Decimal(big) * 1000, 1000)]


def _totals_of(db: Database, user: str) -> int:
    query = "SELECT COUNT(*) FROM month_totals WHERE user_id = ?"
    return int(db.connection().execute(query, (user,)).fetchone()[0])


def test_delete_user_leaves_no_totals_and_keeps_other_users(db: Database) -> None:
    store = SqliteExpenseStore(db)
    user, other = new_user(), new_user()
    rng = random.Random(11)
    store.add_many([_random_expense(rng, user) for _ in range(50)])
    store.add(_random_expense(rng, other))

    store.delete_user(user)

    assert _totals_of(db, user) == 0
    assert _totals_of(db, other) == 1
    assert store.summary(user, None, None).totals == []


def test_emptied_buckets_are_removed(db: Database) -> None:
    store = SqliteExpenseStore(db)
    user = new_user()
    moved = store.add(make_expense(user, category="Once", day=date(2026, 1, 5)))
    deleted = store.add(make_expense(user, category="Twice", day=date(2026, 2, 5)))

    store.replace(dataclasses.replace(moved, date=date(2026, 3, 5), version=2), 1)
    store.delete(user, deleted.id)

    rows = db.connection().execute("SELECT month, category, count FROM month_totals").fetchall()
    assert [tuple(row) for row in rows] == [("2026-03", "Once", 1)]
    assert store.categories(user) == [CategoryCount("Once", 1)]


def test_refused_writes_leave_the_totals_untouched(db: Database) -> None:
    store = SqliteExpenseStore(db)
    user = new_user()
    first = store.add(make_expense(user))
    before = _stored_totals(db)

    with pytest.raises(Conflict):
        store.add(make_expense(user, expense_id=first.id))
    with pytest.raises(Conflict):  # the whole import is refused, totals included
        store.add_many([make_expense(user), make_expense(user, expense_id=first.id)])

    assert _stored_totals(db) == before


def _summary_plan(db: Database, date_from: date, date_to: date) -> str:
    sql, params = summary_query("u", plan(date_from, date_to))
    rows = db.connection().execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return "\n".join(str(row["detail"]) for row in rows)


def test_summary_of_whole_months_reads_no_expense_rows(db: Database) -> None:
    text = _summary_plan(db, date(2025, 1, 1), date(2025, 12, 31))

    assert "month_totals USING PRIMARY KEY (user_id=? AND month>? AND month<?)" in text
    assert "expenses" not in text


def test_partial_months_are_read_off_the_date_index(db: Database) -> None:
    text = _summary_plan(db, date(2025, 1, 15), date(2025, 12, 10))

    assert "month_totals USING PRIMARY KEY" in text
    assert text.count("expenses USING COVERING INDEX expenses_by_date") == 2
    assert "SCAN expenses" not in text
