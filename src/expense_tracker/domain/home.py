"""A summary's figures in the user's home currency: every day's total converted at that day's
ECB rate (through EUR), summed exactly, each figure rounded once (half-even).

A day total converts as a whole: one day's rate applies to every expense of that day, so
sum-then-convert equals convert-then-sum (to the 60 digits we carry). What cannot be converted
(a currency the ECB does not quote, a day before its first rate) is counted in `missing`,
never guessed, and left out of the home amounts."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from .analytics import DayTotal
from .conversion import PRECISION, convert, round_to_currency
from .currencies import MINOR_UNITS

# A day's ECB rates (units per EUR, EUR included), or None before the first rate.
RatesOn = Callable[[date], dict[str, Decimal] | None]


@dataclass(frozen=True)
class MissingRate:
    currency: str
    count: int  # expenses left out of the home amounts


@dataclass(frozen=True)
class HomeSummary:
    currency: str
    amount: Decimal
    missing: list[MissingRate]
    # (category, currency) and (YYYY-MM, currency) rows of the summary -> their converted part,
    # None when nothing of the row could be converted.
    by_category: dict[tuple[str, str], Decimal | None]
    by_month: dict[tuple[str, str], Decimal | None]


class _Factors:
    """Home units per minor unit of a currency on a day, asked of the rates once per day."""

    def __init__(self, home: str, rates_on: RatesOn) -> None:
        self._home = home
        self._rates_on = rates_on
        self._days: dict[date, dict[str, Decimal] | None] = {}
        self._factors: dict[tuple[date, str], Decimal | None] = {}

    def of(self, day: date, currency: str) -> Decimal | None:
        if (day, currency) not in self._factors:
            if day not in self._days:
                self._days[day] = self._rates_on(day)
            unit = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
            self._factors[(day, currency)] = convert(unit, currency, self._home, self._days[day])
        return self._factors[(day, currency)]


def to_home(days: Iterable[DayTotal], home: str, rates_on: RatesOn) -> HomeSummary:
    factors = _Factors(home, rates_on)
    total = Decimal(0)
    categories: dict[tuple[str, str], Decimal | None] = defaultdict(lambda: None)
    months: dict[tuple[str, str], Decimal | None] = defaultdict(lambda: None)
    missing: Counter[str] = Counter()
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for t in days:
            cat_key, month_key = (t.category, t.currency), (t.day.isoformat()[:7], t.currency)
            factor = factors.of(t.day, t.currency)
            if factor is None:
                missing[t.currency] += t.count
                categories[cat_key] = categories[cat_key]  # the row exists, maybe with None
                months[month_key] = months[month_key]
                continue
            value = t.minor * factor
            total += value
            categories[cat_key] = (categories[cat_key] or 0) + value
            months[month_key] = (months[month_key] or 0) + value
    return HomeSummary(
        home,
        round_to_currency(total, home),
        [MissingRate(c, n) for c, n in sorted(missing.items())],
        {k: _rounded(v, home) for k, v in categories.items()},
        {k: _rounded(v, home) for k, v in months.items()},
    )


def _rounded(value: Decimal | None, currency: str) -> Decimal | None:
    return None if value is None else round_to_currency(Decimal(value), currency)
