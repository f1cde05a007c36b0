"""Synthetic expenses for one user, made fast and loaded through the store's own bulk insert."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ulid import ULID

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
