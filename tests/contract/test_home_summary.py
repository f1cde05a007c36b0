"""The summary in the home currency and the per-day totals it is made of, on every store:
exact to the minor unit against a slow reference that converts expense by expense."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest

from expense_tracker.adapters.common.ecb_rates import EcbRates
from expense_tracker.domain.analytics import day_totals, summarize
from expense_tracker.domain.currencies import MINOR_UNITS
from expense_tracker.domain.expense import Expense, ExpenseFilter
from expense_tracker.domain.profile import ProfileChanges
from expense_tracker.services.summary import FullSummary, summarize_expenses

from .conftest import Backend
from .factories import make_expense, new_user

RATES = EcbRates()
CURRENCIES = ["EUR", "USD", "GBP", "JPY", "KWD", "ARS"]  # ARS: the ECB does not quote it
CATEGORIES = ["Food", "Travel", "Rent"]
DESCRIPTIONS = ["lunch", "train ticket", "Taxi to the airport", "rent"]


def reference(expenses: list[Expense], home: str) -> tuple[Decimal, dict[str, int]]:
    """Each expense on its own: exact rational arithmetic, one rounding at the end."""
    total, missing = Fraction(0), Counter[str]()
    for e in expenses:
        found = RATES.on(e.date)
        rates = found.per_euro if found else {}
        if e.currency == home:
            total += Fraction(e.amount)
        elif e.currency in rates and home in rates:
            total += Fraction(e.amount) * Fraction(rates[home]) / Fraction(rates[e.currency])
        else:
            missing[e.currency] += 1
    return rounded(total, home), dict(missing)


def rounded(value: Fraction, currency: str) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)  # 28 digits: far below a unit
    return exact.quantize(Decimal(1).scaleb(-MINOR_UNITS[currency]), rounding=ROUND_HALF_EVEN)


def seed(backend: Backend, rng: random.Random, count: int = 120) -> tuple[str, list[Expense]]:
    user = new_user()
    made = []
    for _ in range(count):
        currency = rng.choice(CURRENCIES)
        digits = MINOR_UNITS[currency]
        minor = rng.randint(1, 10**6)
        day = date(1998, 12, 20) + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.1 else (
            date(2024, 10, 1) + timedelta(days=rng.randint(0, 120))
        )  # fmt: skip
        made.append(
            make_expense(
                user,
                amount=str(Decimal(minor).scaleb(-digits)),
                currency=currency,
                category=rng.choice(CATEGORIES),
                description=rng.choice(DESCRIPTIONS),
                day=day,
            )
        )
    backend.store.add_many(made[: count // 2])
    for expense in made[count // 2 :]:
        backend.store.add(expense)
    backend.store.add(make_expense(new_user(), amount="999.99", day=date(2024, 11, 1)))
    return user, made


def full(backend: Backend, user: str, filters: ExpenseFilter) -> FullSummary:
    return summarize_expenses(
        store=backend.store, rates=RATES, profiles=backend.profiles, user_id=user, filters=filters
    )


FILTERS = [
    ExpenseFilter(),
    ExpenseFilter(date_from=date(2024, 11, 3), date_to=date(2025, 1, 6)),
    ExpenseFilter(category="food"),
    ExpenseFilter(text="TAXI", date_from=date(2024, 12, 1)),
]


@pytest.mark.parametrize("filters", FILTERS, ids=["all", "period", "category", "q"])
@pytest.mark.parametrize("home", ["EUR", "USD", "JPY"])
def test_home_total_is_exact_against_expense_by_expense_conversion(
    backend: Backend, filters: ExpenseFilter, home: str
) -> None:
    user, made = seed(backend, random.Random(f"{home}{filters}"))
    backend.profiles.update_profile(user, ProfileChanges(home_currency=home))
    chosen = [e for e in made if filters.matches(e)]

    result = full(backend, user, filters)

    amount, missing = reference(chosen, home)
    assert (result.home.currency, result.home.amount) == (home, amount)
    assert {m.currency: m.count for m in result.home.missing} == missing
    assert "ARS" in missing  # the ECB never quoted it: left out, never guessed
    # The per-currency figures are the stores' own, for exactly the filtered expenses.
    assert result.summary == summarize(chosen, filters.date_from, filters.date_to)


def test_rows_carry_their_converted_part(backend: Backend) -> None:
    user, made = seed(backend, random.Random(7))
    backend.profiles.update_profile(user, ProfileChanges(home_currency="GBP"))

    result = full(backend, user, ExpenseFilter())

    for row in result.summary.by_category:
        mine = [e for e in made if (e.category, e.currency) == (row.category, row.currency)]
        amount, missing = reference(mine, "GBP")
        expected = None if missing.get(row.currency) == len(mine) else amount
        assert result.home.by_category[(row.category, row.currency)] == expected
    for month in result.summary.by_month:
        mine = [
            e for e in made if (e.date.isoformat()[:7], e.currency) == (month.month, month.currency)
        ]
        amount, missing = reference(mine, "GBP")
        expected = None if missing.get(month.currency) == len(mine) else amount
        assert result.home.by_month[(month.month, month.currency)] == expected


def test_home_currency_expenses_before_the_first_rate_still_count(backend: Backend) -> None:
    user = new_user()
    backend.store.add(make_expense(user, amount="10.00", currency="USD", day=date(1990, 5, 1)))
    backend.store.add(make_expense(user, amount="3.00", currency="EUR", day=date(1990, 5, 1)))
    backend.profiles.update_profile(user, ProfileChanges(home_currency="USD"))

    home = full(backend, user, ExpenseFilter()).home

    assert home.amount == Decimal("10.00")
    assert [(m.currency, m.count) for m in home.missing] == [("EUR", 1)]
    assert home.by_category[("Food", "EUR")] is None


def test_day_totals_follow_changes_and_deletes(backend: Backend) -> None:
    user, made = seed(backend, random.Random(3), count=30)
    store = backend.store
    moved = made[0]
    changed = store.replace(
        dataclasses.replace(moved, date=date(2024, 12, 31), category="Rent", version=2),
        expected_version=moved.version,
    )
    store.delete(user, made[1].id)
    live = [changed, *made[2:]]

    totals = sorted(store.day_totals(user, ExpenseFilter()))

    assert totals == sorted(day_totals(live))


def test_a_new_user_has_an_empty_home_summary(backend: Backend) -> None:
    result = full(backend, new_user(), ExpenseFilter())
    assert (result.home.currency, result.home.amount, result.home.missing) == (
        "EUR",
        Decimal("0.00"),
        [],
    )


def test_profiles_keep_home_currency_and_locale_apart_per_user(backend: Backend) -> None:
    alice, bob = new_user(), new_user()
    profiles = backend.profiles
    assert profiles.profile(alice).effective_home == "EUR"  # follows the default currency
    profiles.update_profile(alice, ProfileChanges(home_currency="GBP", locale="de-DE"))
    profiles.update_profile(alice, ProfileChanges(default_currency="JPY"))

    got = profiles.profile(alice)
    assert (got.default_currency, got.home_currency, got.locale) == ("JPY", "GBP", "de-DE")
    assert profiles.profile(bob).locale == "en"
    assert profiles.default_currency(alice) == "JPY"
