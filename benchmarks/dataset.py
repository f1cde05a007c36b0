"""Synthetic expenses for one user, made fast and loaded through the store's own bulk insert."""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from ulid import ULID

from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.expense import DEFAULT_CATEGORIES, Expense
from expense_tracker.domain.money import from_minor
from expense_tracker.ports import ExpenseStore

LAST_DAY = date(2025, 12, 31)
SPAN_DAYS = 3650  # ten years of spending, so "a year" is a tenth of the rows
CURRENCIES = ("USD",) * 16 + ("EUR",) * 3 + ("JPY",)
WORDS = ("coffee", "lunch", "train", "groceries", "rent", "books", "cinema", "taxi", "gift")
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 50_000  # rows per add_many call: one transaction each, memory stays bounded


def _amounts(rng: random.Random) -> dict[str, list[Decimal]]:
    """A pool of amounts per currency: Decimal construction is the slow part of a row."""
    return {
        currency: [from_minor(rng.randint(100, 20_000), currency) for _ in range(1000)]
        for currency in set(CURRENCIES)
    }


def expenses(user_id: str, count: int, *, seed: int) -> Iterator[Expense]:
    rng = random.Random(seed)
    amounts = _amounts(rng)
    for i in range(count):
        currency = rng.choice(CURRENCIES)
        yield Expense(
            id=str(ULID()),
            user_id=user_id,
            amount=rng.choice(amounts[currency]),
            currency=currency,
            category=rng.choice(DEFAULT_CATEGORIES),
            description=f"{rng.choice(WORDS)} #{seed}-{i}",
            date=LAST_DAY - timedelta(days=rng.randrange(SPAN_DAYS)),
            created_at=CREATED,
            updated_at=CREATED,
        )


def bulk_load(store: ExpenseStore, user_id: str, count: int, *, seed: int) -> None:
    rows = expenses(user_id, count, seed=seed)
    while batch := list(itertools.islice(rows, BATCH)):
        store.add_many(batch)


def seeded(shared: Path, user_id: str, sizes: Sequence[int]) -> list[tuple[int, Path]]:
    """SQLite databases holding `user_id`'s first `size` rows for each size, loaded in steps
    (the rows between two sizes seeded by the larger): built once per run in `shared` and then
    shared by every section that measures the same data, so a million rows are loaded once.
    A section may read them and change its own user's settings, never the expenses."""
    steps = sorted(sizes)
    chain = "-".join(map(str, steps))
    snapshots = [(n, shared / f"{user_id}-{chain}-{n}.sqlite3") for n in steps]
    if not all(path.exists() for _, path in snapshots):
        shared.mkdir(parents=True, exist_ok=True)
        rate = _load_in_steps(shared / f"{user_id}-{chain}.loading", user_id, snapshots)
        _rates_file(shared).write_text(json.dumps({**_rates(shared), chain: rate}))
    return snapshots


def seeded_load_rate(shared: Path, sizes: Sequence[int]) -> float:
    """Rows per second of the bulk load that built `seeded(shared, _, sizes)`."""
    rate: float = _rates(shared)["-".join(map(str, sorted(sizes)))]
    return rate


def _load_in_steps(scratch: Path, user_id: str, snapshots: list[tuple[int, Path]]) -> float:
    for stale in scratch.parent.glob(scratch.name + "*"):
        stale.unlink()
    db = Database(scratch)
    store, loaded, seconds = SqliteExpenseStore(db), 0, 0.0
    try:
        for size, path in snapshots:
            started = time.perf_counter()
            bulk_load(store, user_id, size - loaded, seed=size)
            seconds += time.perf_counter() - started
            loaded = size
            print(f"  dataset: {size:,} rows of {user_id} loaded", flush=True)
            with closing(sqlite3.connect(path)) as copy:
                db.connection().backup(copy)
    finally:
        db.close()
    for done in scratch.parent.glob(scratch.name + "*"):
        done.unlink()
    return loaded / seconds


def _rates_file(shared: Path) -> Path:
    return shared / "load-rates.json"


def _rates(shared: Path) -> dict[str, float]:
    found = _rates_file(shared)
    loaded: dict[str, float] = json.loads(found.read_text()) if found.exists() else {}
    return loaded


def csv_bytes(count: int, *, seed: int) -> bytes:
    """An import file in the export's format (only the columns import reads, so 100k rows fit
    under the 10 MB import limit)."""
    rng = random.Random(seed)
    lines = ["date,amount,currency,category,description"]
    for i in range(count):
        day = LAST_DAY - timedelta(days=rng.randrange(SPAN_DAYS))
        amount = f"{rng.randint(1, 200)}.{rng.randint(0, 99):02d}"
        category = rng.choice(DEFAULT_CATEGORIES)
        lines.append(f"{day.isoformat()},{amount},USD,{category},{rng.choice(WORDS)} {i}")
    return ("\r\n".join(lines) + "\r\n").encode()
