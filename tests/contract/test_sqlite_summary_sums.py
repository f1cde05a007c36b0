"""SQLite sums the summary's buckets in one pass over its raw rows: the sums are the very
integers of the reference (`sum_days` over the store's day totals), for every filter, at the
largest amounts, with and without conversion."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from expense_tracker.adapters.common.ecb_rates import EcbRates
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.currencies import MINOR_UNITS
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.domain.summary_totals import (
    CategorySum,
    FactorOf,
    MonthSum,
    SummaryTotals,
    sum_days,
)
from expense_tracker.services.summary import factors_of

from .factories import make_expense, new_user

RATES = EcbRates()
CURRENCIES = ["EUR", "USD", "JPY", "KWD", "ARS"]  # ARS: no rate, never converted
FILTERS = [
    ExpenseFilter(),
    ExpenseFilter(date_from=date(2024, 11, 20), date_to=date(2024, 12, 10)),
    ExpenseFilter(category="rent"),
    ExpenseFilter(text="taxi"),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteExpenseStore]:
    db = Database(tmp_path / "sums.sqlite3")
    yield SqliteExpenseStore(db)
    db.close()


def seed(store: SqliteExpenseStore, rng: random.Random, count: int = 150) -> str:
    user = new_user()
    made = []
    for i in range(count):
        currency = rng.choice(CURRENCIES)
        # Some at the largest amount allowed (10^12): high parts, KWD's 10^15 minor units.
        minor = 10 ** (12 + MINOR_UNITS[currency]) if i % 10 == 0 else rng.randint(1, 10**7)
        made.append(
            make_expense(
                user,
                amount=str(Decimal(minor).scaleb(-MINOR_UNITS[currency])),
                currency=currency,
                category=rng.choice(["Food", "Rent", "Travel"]),
                description=rng.choice(["taxi home", "lunch"]),
                day=date(2024, 11, 1) + timedelta(days=rng.randint(0, 60)),
            )
        )
    store.add_many(made)
    return user


def ordered(totals: SummaryTotals) -> tuple[list[MonthSum], list[CategorySum]]:
    months = sorted(totals.months, key=lambda t: (t.month, t.currency))
    return months, sorted(totals.categories, key=lambda t: (t.category, t.currency))


def reference(
    store: SqliteExpenseStore, user: str, f: ExpenseFilter, by: FactorOf | None
) -> object:
    return ordered(sum_days(store.day_totals(user, f), by))


@pytest.mark.parametrize("filters", FILTERS, ids=["all", "period", "category", "q"])
@pytest.mark.parametrize("home", ["EUR", "JPY", "KWD"])
def test_sql_sums_are_the_python_reference_to_the_integer(
    store: SqliteExpenseStore, filters: ExpenseFilter, home: str
) -> None:
    user = seed(store, random.Random(f"{home}{filters}"))
    factor_of = factors_of(RATES, home)

    got = store.summary_totals(user, filters, factor_of)

    assert ordered(got) == reference(store, user, filters, factor_of)
    assert any(t.home is None for t in got.categories)  # ARS: nothing of it converted
    assert any(t.home for t in got.categories)
    assert any(t.unconverted for t in got.months)  # ARS's months: counted, not converted
    assert any(t.home for t in got.months)


def test_sums_without_conversion_carry_no_home_part(store: SqliteExpenseStore) -> None:
    user = seed(store, random.Random(1))

    got = store.summary_totals(user, ExpenseFilter(), None)

    assert ordered(got) == reference(store, user, ExpenseFilter(), None)
    assert {t.home for t in got.months} == {None}
    assert all(t.unconverted == t.count for t in got.months)  # nothing of any month converted
