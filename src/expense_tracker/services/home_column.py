"""The export with a home-currency column (the CLI's `export --home`): each expense's amount in
the user's home currency at its own date's ECB rate (through EUR), rounded once, half-even, to
the home currency's digits. Empty where the ECB has no rate (a currency it does not quote, a
day before its first rate): never a guess."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from ..domain.conversion import convert, round_to_currency
from ..domain.csv_format import HEADER, expense_row
from ..domain.expense import Expense, ExpenseFilter
from ..domain.money import format_amount
from ..ports import ExpenseStore, Profiles
from ..ports.rates import Rates
from .expenses import check_range

HOME_COLUMNS = ("home_amount", "home_currency")


def home_amount(expense: Expense, home: str, per_euro: dict[str, Decimal] | None) -> str:
    value = convert(expense.amount, expense.currency, home, per_euro)
    return "" if value is None else format_amount(round_to_currency(value, home), home)


def export_csv_with_home(
    *, store: ExpenseStore, rates: Rates, profiles: Profiles, user_id: str, filters: ExpenseFilter
) -> Iterator[str]:
    """The CSV export plus the two home columns, line by line as the pages arrive."""
    check_range(filters.date_from, filters.date_to)
    home = profiles.profile(user_id).effective_home
    return _lines(store.iterate(user_id, filters), home, rates)


def _lines(expenses: Iterable[Expense], home: str, rates: Rates) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow((*HEADER, *HOME_COLUMNS))
    days: dict[date, dict[str, Decimal] | None] = {}  # one rates lookup per day
    for expense in expenses:
        if expense.date not in days:
            found = rates.on(expense.date)
            days[expense.date] = None if found is None else found.per_euro
        writer.writerow(
            (*expense_row(expense), home_amount(expense, home, days[expense.date]), home)
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
