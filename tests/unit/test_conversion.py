"""Conversion through EUR with one day's rates: exact, rounded once half-even, never guessed."""

from __future__ import annotations

from decimal import Decimal

from expense_tracker.domain.conversion import convert, round_to_currency

RATES = {
    "EUR": Decimal(1),
    "USD": Decimal("1.0523"),
    "JPY": Decimal("161.5"),
    "GBP": Decimal("0.83"),
}


def test_same_currency_needs_no_rate() -> None:
    assert convert(Decimal("12.50"), "XAF", "XAF", None) == Decimal("12.50")


def test_cross_rate_goes_through_euro() -> None:
    converted = convert(Decimal("100"), "USD", "GBP", RATES)
    assert converted is not None
    assert round_to_currency(converted, "GBP") == Decimal("78.87")


def test_unquoted_currency_or_missing_day_is_none() -> None:
    assert convert(Decimal("1"), "XAF", "EUR", RATES) is None
    assert convert(Decimal("1"), "USD", "EUR", None) is None


def test_rounding_is_half_even_to_the_target_digits() -> None:
    assert round_to_currency(Decimal("2.5"), "JPY") == Decimal("2")
    assert round_to_currency(Decimal("3.5"), "JPY") == Decimal("4")
    assert round_to_currency(Decimal("0.0125"), "USD") == Decimal("0.01")
    assert round_to_currency(Decimal("1.2345"), "KWD") == Decimal("1.234")


def test_sum_of_unrounded_conversions_is_within_one_minor_unit() -> None:
    amounts = [Decimal("0.01")] * 1000
    total = sum((convert(a, "USD", "JPY", RATES) or Decimal(0) for a in amounts), Decimal(0))
    assert round_to_currency(total, "JPY") == Decimal("1535")  # 10 USD = 1534.73 JPY
