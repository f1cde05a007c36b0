"""Money: an exact Decimal amount in an ISO 4217 currency. Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .currencies import MINOR_UNITS
from .errors import FieldError, Invalid

MAX_AMOUNT = Decimal("1000000000000")


def minor_units(currency: str) -> int:
    return MINOR_UNITS[currency]


def parse_currency(value: object, field: str = "currency") -> str:
    if not isinstance(value, str) or value not in MINOR_UNITS:
        raise Invalid(FieldError(field, "must be an ISO 4217 currency code such as EUR or USD"))
    return value


def parse_amount(value: object, currency: str, field: str = "amount") -> Decimal:
    """Parse a positive amount exactly; refuse floats that are not exact and extra digits."""
    amount = _to_decimal(value, field)
    if not amount.is_finite():
        raise Invalid(FieldError(field, "must be a finite number"))
    if amount <= 0:
        raise Invalid(FieldError(field, "must be greater than 0"))
    if amount > MAX_AMOUNT:
        raise Invalid(FieldError(field, "must be at most 1000000000000"))
    digits = minor_units(currency)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise Invalid(FieldError(field, f"{currency} allows at most {digits} decimal places"))
    return amount.quantize(Decimal(1).scaleb(-digits))


def _to_decimal(value: object, field: str) -> Decimal:
    if isinstance(value, bool):
        raise Invalid(FieldError(field, 'must be a decimal string such as "12.50"'))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # JSON numbers arrive as floats; repr() gives back the shortest decimal that the client
        # wrote, so the currency's digit check below decides whether it was exact enough.
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        # ASCII only: str.isdigit() (and Decimal) would also take "١٢" or other scripts' digits.
        if not text or not all(c in "0123456789.-+" for c in text):
            raise Invalid(FieldError(field, 'must be a decimal string such as "12.50"'))
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise Invalid(FieldError(field, 'must be a decimal string such as "12.50"')) from exc
    raise Invalid(FieldError(field, 'must be a decimal string such as "12.50"'))


def to_minor(amount: Decimal, currency: str) -> int:
    """Integer minor units (cents) for storage; refuses to drop digits rather than truncate."""
    scaled = amount.scaleb(minor_units(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more digits than {currency} allows")
    return int(scaled)


# Each currency's scale and smallest unit (-2 and 0.01), made once: a summary formats a
# hundred amounts, and making the unit was about half of each.
_UNIT: dict[str, tuple[int, Decimal]] = {
    currency: (-digits, Decimal(1).scaleb(-digits)) for currency, digits in MINOR_UNITS.items()
}


def from_minor(minor: int, currency: str) -> Decimal:
    exponent, unit = _UNIT[currency]
    return Decimal(minor).scaleb(exponent).quantize(unit)


def format_amount(amount: Decimal, currency: str) -> str:
    return str(amount.quantize(_UNIT[currency][1]))


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")
        parse_currency(self.currency)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError("cannot add amounts of different currencies")
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return f"{format_amount(self.amount, self.currency)} {self.currency}"
