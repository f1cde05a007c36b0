"""Budgets: a limit per category (or overall) per month or year, and its status.

`spent` is converted into the budget's currency at each expense's own date (as the home-currency
summary does); `projected` extrapolates the period's spending so far linearly to its end."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from .conversion import round_to_currency
from .errors import FieldError, Invalid

Period = Literal["month", "year"]
Status = Literal["ok", "at_risk", "over"]
PERIODS: tuple[Period, ...] = ("month", "year")


@dataclass(frozen=True)
class Budget:
    id: str
    user_id: str
    category: str | None  # None: everything
    amount: Decimal
    currency: str
    period: Period
    version: int = 1


@dataclass(frozen=True)
class Missing:
    """Spending that could not be converted (no rate that day): left out of `spent`."""

    currency: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class BudgetStatus:
    budget: Budget
    start: date
    end: date
    spent: Decimal
    projected: Decimal
    status: Status
    missing: tuple[Missing, ...] = ()

    @property
    def remaining(self) -> Decimal:
        return self.budget.amount - self.spent


def parse_period(value: object) -> Period:
    for period in PERIODS:
        if value == period:
            return period
    raise Invalid(FieldError("period", "must be 'month' or 'year'"))


def parse_month(value: object) -> date:
    """`YYYY-MM` -> the first day of that month; 422 naming `month` otherwise."""
    text = value if isinstance(value, str) else ""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise Invalid(FieldError("month", "must be a month as YYYY-MM")) from exc


def period_range(period: Period, month: date) -> tuple[date, date]:
    """The month itself, or the year containing it; both ends inclusive."""
    if period == "year":
        return date(month.year, 1, 1), date(month.year, 12, 31)
    last = calendar.monthrange(month.year, month.month)[1]
    return date(month.year, month.month, 1), date(month.year, month.month, last)


def project(spent: Decimal, start: date, end: date, today: date) -> Decimal:
    """Linear: the spending per elapsed day (today included) times the period's days. A period
    already over, or not begun, projects what was spent."""
    if not start <= today <= end:
        return spent
    elapsed = (today - start).days + 1
    total = (end - start).days + 1
    return spent * total / elapsed


def judge(limit: Decimal, spent: Decimal, projected: Decimal) -> Status:
    if spent > limit:
        return "over"
    return "at_risk" if projected > limit else "ok"


def status_of(
    budget: Budget, month: date, today: date, spent: Decimal, missing: tuple[Missing, ...]
) -> BudgetStatus:
    start, end = period_range(budget.period, month)
    rounded = round_to_currency(spent, budget.currency)
    projected = round_to_currency(project(spent, start, end, today), budget.currency)
    return BudgetStatus(
        budget=budget,
        start=start,
        end=end,
        spent=rounded,
        projected=projected,
        status=judge(budget.amount, rounded, projected),
        missing=missing,
    )
