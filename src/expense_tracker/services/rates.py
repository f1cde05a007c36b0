"""The ECB reference rates of a day, against any quoted base (cross rates through EUR)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext

from ..domain.errors import FieldError, Invalid
from ..ports.rates import ECB_SOURCE, Rates

# Cross rates carry twice the ECB's five significant digits: shown, never summed (the summary
# converts through EUR with the published figures themselves).
CROSS_DIGITS = 10


@dataclass(frozen=True)
class DayRates:
    base: str
    day: date
    as_of: date
    source: str
    rates: dict[str, Decimal]  # units of each currency per 1 base, the base itself left out


def rates_on(*, rates: Rates, base: str, day: date) -> DayRates:
    """422 naming `base` for a currency the ECB does not quote (that day), naming `date` for a
    day before the first published rate."""
    if base not in rates.currencies():
        raise Invalid(FieldError("base", "must be a currency the ECB quotes, such as EUR or USD"))
    found = rates.on(day)
    if found is None:
        raise Invalid(FieldError("date", "is before the first ECB reference rate (1999-01-04)"))
    base_rate = found.per_euro.get(base)
    if base_rate is None:
        raise Invalid(FieldError("base", f"has no ECB rate on {found.as_of.isoformat()}"))
    return DayRates(base, day, found.as_of, ECB_SOURCE, _cross(found.per_euro, base, base_rate))


def _cross(per_euro: dict[str, Decimal], base: str, base_rate: Decimal) -> dict[str, Decimal]:
    if base == "EUR":
        return {c: r for c, r in sorted(per_euro.items()) if c != base}
    with localcontext() as ctx:
        ctx.prec = CROSS_DIGITS
        return {c: r / base_rate for c, r in sorted(per_euro.items()) if c != base}


def rate_text(rate: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros ("1.0523", "162", "0.0006")."""
    return format(rate.normalize(), "f")
