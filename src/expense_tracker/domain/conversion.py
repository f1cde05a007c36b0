"""Converting money between currencies with one day's ECB rates (through EUR), exactly.

Amounts are converted unrounded and summed exactly; a total is rounded once, half-even, to the
target currency's minor units. A currency without a rate is reported, never guessed."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from .currencies import MINOR_UNITS

# Enough digits that converting and summing a million expenses stays far inside one minor unit.
PRECISION = 60


def convert(
    amount: Decimal, currency: str, target: str, per_euro: dict[str, Decimal] | None
) -> Decimal | None:
    """`amount` of `currency` in `target`, unrounded; None when either has no rate that day."""
    if currency == target:
        return amount
    if per_euro is None:
        return None
    source_rate = per_euro.get(currency)
    target_rate = per_euro.get(target)
    if source_rate is None or target_rate is None:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return amount * target_rate / source_rate


def round_to_currency(amount: Decimal, currency: str) -> Decimal:
    """One rounding, half-even, to the currency's minor-unit digits (USD 2, JPY 0, KWD 3)."""
    exponent = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return amount.quantize(exponent, rounding=ROUND_HALF_EVEN)
