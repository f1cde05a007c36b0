"""The summary of a period and the list's filters: per-currency totals, and the same figures
in the user's home currency (each day converted at its own ECB rate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..domain.analytics import Summary, summary_of_days
from ..domain.expense import ExpenseFilter
from ..domain.home import HomeSummary, to_home
from ..ports import ExpenseStore, Profiles
from ..ports.rates import Rates
from .expenses import check_range


@dataclass(frozen=True)
class FullSummary:
    summary: Summary
    home: HomeSummary


def summarize_expenses(
    *, store: ExpenseStore, rates: Rates, profiles: Profiles, user_id: str, filters: ExpenseFilter
) -> FullSummary:
    """One read of the daily totals (one snapshot) makes both views, so they always agree."""
    check_range(filters.date_from, filters.date_to)
    days = store.day_totals(user_id, filters)
    home = profiles.profile(user_id).effective_home

    def per_euro(day: date) -> dict[str, Decimal] | None:
        found = rates.on(day)
        return None if found is None else found.per_euro

    return FullSummary(
        summary_of_days(days, filters.date_from, filters.date_to), to_home(days, home, per_euro)
    )
