"""A summary's figures in the user's home currency: every day's total converted at that day's
ECB rate (through EUR), summed (to 40 decimal places), each figure rounded once (half-even).

A day total converts as a whole: one day's rate applies to every expense of that day, so
sum-then-convert equals convert-then-sum (to the 40 places we carry). What cannot be converted
(a currency the ECB does not quote, a day before its first rate) is counted in `missing`,
never guessed, and left out of the home amounts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

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


# Factors are integers scaled by 10^SCALE: the sums are then plain integer arithmetic (ten
# times faster than 60-digit Decimals), and the error, under 10^-SCALE per day total, stays
# far below a minor unit even for millions of them.
SCALE = 40


class _Factors:
    """Home units per minor unit of a currency on a day (scaled by 10^SCALE), asked of the
    rates once per day."""

    def __init__(self, home: str, rates_on: RatesOn) -> None:
        self._home = home
        self._rates_on = rates_on
        self._days: dict[date, dict[str, Decimal] | None] = {}
        self._factors: dict[tuple[date, str], int | None] = {}

    def of(self, day: date, currency: str) -> int | None:
        if (day, currency) not in self._factors:
            if day not in self._days:
                self._days[day] = self._rates_on(day)
            unit = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
            value = convert(unit, currency, self._home, self._days[day])
            self._factors[(day, currency)] = None if value is None else _scaled(value)
        return self._factors[(day, currency)]


def _scaled(value: Decimal) -> int:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return int(value.scaleb(SCALE).to_integral_value(rounding=ROUND_HALF_EVEN))


def to_home(days: Iterable[DayTotal], home: str, rates_on: RatesOn) -> HomeSummary:
    factors = _Factors(home, rates_on)
    total = 0
    categories: dict[tuple[str, str], int | None] = {}
    months: dict[tuple[str, str], int | None] = {}
    missing: Counter[str] = Counter()
    month_of: dict[date, str] = {}
    for t in days:
        if t.day not in month_of:
            month_of[t.day] = t.day.isoformat()[:7]
        cat_key, month_key = (t.category, t.currency), (month_of[t.day], t.currency)
        factor = factors.of(t.day, t.currency)
        if factor is None:
            missing[t.currency] += t.count
            categories.setdefault(cat_key, None)  # the row exists, maybe with nothing converted
            months.setdefault(month_key, None)
            continue
        value = t.minor * factor
        total += value
        categories[cat_key] = (categories.get(cat_key) or 0) + value
        months[month_key] = (months.get(month_key) or 0) + value
    return HomeSummary(
        home,
        _unscaled(total, home),
        [MissingRate(c, n) for c, n in sorted(missing.items())],
        {k: None if v is None else _unscaled(v, home) for k, v in categories.items()},
        {k: None if v is None else _unscaled(v, home) for k, v in months.items()},
    )


def _unscaled(value: int, currency: str) -> Decimal:
    """The one rounding: half-even to the currency's digits."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return round_to_currency(Decimal(value).scaleb(-SCALE), currency)
