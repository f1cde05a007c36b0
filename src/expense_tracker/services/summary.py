"""The summary of a period and the list's filters: per-currency totals, and the same figures
in the user's home currency (each day converted at its own ECB rate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from ..domain.analytics import Summary
from ..domain.expense import ExpenseFilter
from ..domain.home import FactorOf, HomeSummary, home_summary, unit_factor
from ..domain.summary_totals import summary_of_totals
from ..ports import ExpenseStore, Profiles
from ..ports.rates import EuroRates, Rates
from .expenses import check_range


@dataclass(frozen=True)
class FullSummary:
    summary: Summary
    home: HomeSummary


def summarize_expenses(
    *, store: ExpenseStore, rates: Rates, profiles: Profiles, user_id: str, filters: ExpenseFilter
) -> FullSummary:
    """One read of the store's sums (one snapshot) makes both views, so they always agree;
    the store converts each (day, currency) at the factor `factors_of` gives it."""
    check_range(filters.date_from, filters.date_to)
    home = profiles.profile(user_id).effective_home
    totals = store.summary_totals(user_id, filters, factors_of(rates, home))
    return FullSummary(
        summary_of_totals(totals, filters.date_from, filters.date_to), home_summary(totals, home)
    )


def factors_of(rates: Rates, home: str) -> FactorOf:
    """Each (business day, currency)'s factor is worked out once per process: kept in the
    memo of the day's rates; each day's rates are looked up once per summary."""
    days: dict[date, EuroRates | None] = {}
    same = home_factor(home)

    def factor_of(day: date, currency: str) -> int | None:
        if currency == home:  # no rate needed: the same factor every day
            return same
        found = days[day] if day in days else days.setdefault(day, rates.on(day))
        if found is None:
            return unit_factor(currency, home, None)
        key = (currency, home)
        if key not in found.memo:
            found.memo[key] = unit_factor(currency, home, found.per_euro)
        return found.memo[key]

    return factor_of


@cache
def home_factor(home: str) -> int | None:
    """What one minor unit of the home currency is in itself, scaled (conversion.convert
    leaves an amount in its own currency as it is, whatever the day's rates)."""
    return unit_factor(home, home, None)
