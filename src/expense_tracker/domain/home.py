"""A summary's figures in the user's home currency: every day's total converted at that day's
ECB rate (through EUR), summed (to 40 decimal places), each figure rounded once (half-even).

A day total converts as a whole: one day's rate applies to every expense of that day, so
sum-then-convert equals convert-then-sum (to the 40 places we carry). What cannot be converted
(a currency the ECB does not quote, a day before its first rate) is counted in `missing`,
never guessed, and left out of the home amounts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from .conversion import PRECISION, convert
from .money import from_minor, minor_units
from .summary_totals import FactorOf, SummaryTotals

__all__ = ["FactorOf", "HomeSummary", "MissingRate", "home_summary", "unit_factor"]


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


def unit_factor(currency: str, home: str, per_euro: dict[str, Decimal] | None) -> int | None:
    """What one minor unit of `currency` is in `home` with one day's rates, scaled."""
    unit = Decimal(1).scaleb(-minor_units(currency))
    value = convert(unit, currency, home, per_euro)
    if value is None:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return int(value.scaleb(SCALE).to_integral_value(rounding=ROUND_HALF_EVEN))


def home_summary(totals: SummaryTotals, home: str) -> HomeSummary:
    """The home figures of the store's sums: the months and the total from the months' home
    parts (each day at its factor); the categories as the store converted them."""
    months: dict[tuple[str, str], int] = {}
    unconverted: set[tuple[str, str]] = set()
    missing: Counter[str] = Counter()
    for t in totals.months:
        key = (t.month, t.currency)
        if t.unconverted:
            missing[t.currency] += t.unconverted
            unconverted.add(key)
        if t.home is not None:
            months[key] = t.home
    categories = {(t.category, t.currency): t.home for t in totals.categories}
    return HomeSummary(
        home,
        _unscaled(sum(months.values()), home),
        [MissingRate(c, n) for c, n in sorted(missing.items())],
        {
            key: None if value is None else _unscaled(value, home)
            for key, value in categories.items()
        },
        _rows(months, unconverted, home),
    )


def _rows(
    converted: dict[tuple[str, str], int], unconverted: set[tuple[str, str]], home: str
) -> dict[tuple[str, str], Decimal | None]:
    """Each row's converted part; None for a row of which nothing could be converted."""
    rows: dict[tuple[str, str], Decimal | None] = dict.fromkeys(unconverted)
    rows.update((key, _unscaled(value, home)) for key, value in converted.items())
    return rows


def _unscaled(value: int, currency: str) -> Decimal:
    """The one rounding: half-even to the currency's digits, in integers."""
    unit = 10 ** (SCALE - minor_units(currency))
    minor, rest = divmod(value, unit)
    if rest * 2 > unit or (rest * 2 == unit and minor % 2):
        minor += 1
    return from_minor(minor, currency)
