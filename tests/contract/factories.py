"""Builders for the contract suite: each test makes exactly the expenses it needs."""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from ulid import ULID

from expense_tracker.adapters.sqlite import queries
from expense_tracker.adapters.sqlite.db import MIGRATIONS
from expense_tracker.adapters.sqlite.queries import row_values
from expense_tracker.domain.expense import Expense, Receipt
from expense_tracker.domain.money import parse_amount

NOW = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
_serial = itertools.count()


def new_user() -> str:
    return f"user-{next(_serial)}-{ULID()}"


def make_expense(
    user_id: str,
    *,
    amount: str = "12.50",
    currency: str = "EUR",
    category: str = "Food",
    description: str = "Lunch",
    day: date = date(2026, 11, 24),
    expense_id: str | None = None,
    created_at: datetime = NOW,
    receipt: Receipt | None = None,
) -> Expense:
    return Expense(
        id=expense_id or str(ULID()),
        user_id=user_id,
        amount=parse_amount(amount, currency),  # as validation leaves it: quantized
        currency=currency,
        category=category,
        description=description,
        date=day,
        created_at=created_at,
        updated_at=created_at,
        receipt=receipt,
    )


def make_receipt(key: str = "receipts/abc", size: int = 182_044) -> Receipt:
    return Receipt(content_type="image/jpeg", size=size, uploaded_at=NOW, key=key)


def ids(expenses: list[Expense]) -> list[str]:
    return [e.id for e in expenses]


def insert_release_1_rows(conn: sqlite3.Connection, expenses: list[Expense]) -> None:
    """Rows as release 1's schema holds them (no column added by a later migration), for the
    tests that open an old database and check what a migration backfills."""
    columns = [name.strip() for name in queries._COLUMNS.split(",")][:15]
    rows = [row_values(e)[:15] for e in expenses]
    marks = ", ".join("?" * len(columns))
    conn.executemany(f"INSERT INTO expenses ({', '.join(columns)}) VALUES ({marks})", rows)


def migration_step(marker: str) -> int:
    """The index in MIGRATIONS of the one step whose script contains `marker`."""
    return MIGRATIONS.index(next(m for m in MIGRATIONS if marker in m))


def old_database(path: Path, version: int, expenses: list[Expense]) -> None:
    """A database as the release at schema `version` left it, with rows: release 1's schema
    and rows, then the steps up to `version` (each backfills its own)."""
    conn = sqlite3.connect(path)
    # The search index's triggers call casefold(), which the app registers on each connection.
    conn.create_function("casefold", 1, lambda v: v.casefold() if isinstance(v, str) else None)
    try:
        conn.executescript(MIGRATIONS[0])
        insert_release_1_rows(conn, expenses)
        for script in MIGRATIONS[1:version]:
            conn.executescript(script)
        conn.execute(f"PRAGMA user_version={version}")
        conn.commit()
    finally:
        conn.close()
