"""Money: exact Decimal amounts with the currency's minor-unit digits. Never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from expense_tracker.domain.errors import Invalid
from expense_tracker.domain.money import (
    MAX_AMOUNT,
    Money,
    format_amount,
    from_minor,
    minor_units,
    parse_amount,
    parse_currency,
    to_minor,
)


@pytest.mark.parametrize(("currency", "digits"), [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3)])
def test_currency_exponents_follow_iso_4217(currency: str, digits: int) -> None:
    assert minor_units(currency) == digits


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("12.50", "USD", "12.50"),
        ("12.5", "USD", "12.50"),
        ("12", "USD", "12.00"),
        ("12.500", "USD", "12.50"),
        ("1500", "JPY", "1500"),
        ("1.234", "KWD", "1.234"),
        ("0.001", "KWD", "0.001"),
        (" 7.10 ", "EUR", "7.10"),
    ],
)
def test_amount_is_parsed_exactly_to_the_currencys_digits(
    text: str, currency: str, expected: str
) -> None:
    amount = parse_amount(text, currency)

    assert isinstance(amount, Decimal)
    assert str(amount) == expected


@pytest.mark.parametrize(
    ("text", "currency"),
    [("12.505", "USD"), ("0.001", "EUR"), ("12.5", "JPY"), ("1.0001", "KWD")],
)
def test_extra_digits_are_refused_not_rounded(text: str, currency: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_amount(text, currency)

    assert caught.value.errors[0].field == "amount"
    assert "decimal places" in caught.value.errors[0].message


@pytest.mark.parametrize("value", ["0", "0.00", "-1", "-0.01"])
def test_amount_must_be_positive(value: str) -> None:
    with pytest.raises(Invalid, match="greater than 0"):
        parse_amount(value, "USD")


def test_largest_amount_is_accepted_and_one_cent_more_is_not() -> None:
    assert parse_amount("1000000000000", "USD") == MAX_AMOUNT
    with pytest.raises(Invalid, match="at most"):
        parse_amount("1000000000000.01", "USD")


@pytest.mark.parametrize(
    "value",
    ["", "  ", "abc", "1e3", "1E3", "NaN", "Infinity", "1,50", "1_000", "1.2.3", "١٢", "12€"],
)
def test_text_that_is_not_a_plain_decimal_is_refused(value: str) -> None:
    with pytest.raises(Invalid, match="decimal string"):
        parse_amount(value, "USD")


@pytest.mark.parametrize("value", [True, False, None, [1], {"a": 1}])
def test_values_that_are_not_numbers_are_refused(value: object) -> None:
    with pytest.raises(Invalid):
        parse_amount(value, "USD")


def test_exact_json_float_is_accepted_as_the_decimal_it_spells() -> None:
    assert parse_amount(12.5, "USD") == Decimal("12.50")
    assert parse_amount(0.1, "USD") == Decimal("0.10")
    assert parse_amount(7, "JPY") == Decimal("7")


def test_inexact_float_arithmetic_is_refused() -> None:
    with pytest.raises(Invalid, match="decimal places"):
        parse_amount(0.1 + 0.2, "USD")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_are_refused(value: float) -> None:
    with pytest.raises(Invalid):
        parse_amount(value, "USD")


@pytest.mark.parametrize("code", ["usd", "XXX", "", "EURO", None, 978])
def test_unknown_currency_codes_are_refused(code: object) -> None:
    with pytest.raises(Invalid) as caught:
        parse_currency(code)

    assert caught.value.errors[0].field == "currency"


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("12.50", "USD", 1250), ("1500", "JPY", 1500), ("1.234", "KWD", 1234)],
)
def test_minor_units_round_trip_exactly(amount: str, currency: str, minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor
    assert from_minor(minor, currency) == Decimal(amount)
    assert str(from_minor(minor, currency)) == amount


def test_minor_units_of_the_largest_amount_are_exact() -> None:
    largest = Decimal("999999999999.9999")

    assert from_minor(to_minor(largest, "CLF"), "CLF") == largest


def test_converting_to_minor_units_never_drops_digits() -> None:
    with pytest.raises(ValueError):
        to_minor(Decimal("1.239"), "USD")


@pytest.mark.parametrize(("currency", "text"), [("USD", "5.00"), ("JPY", "5"), ("KWD", "5.000")])
def test_amount_is_shown_with_the_currencys_digits(currency: str, text: str) -> None:
    assert format_amount(Decimal(5), currency) == text


def test_money_adds_only_the_same_currency() -> None:
    total = Money(Decimal("0.10"), "USD") + Money(Decimal("0.20"), "USD")

    assert total == Money(Decimal("0.30"), "USD")
    assert str(total) == "0.30 USD"
    with pytest.raises(ValueError):
        _ = Money(Decimal(1), "USD") + Money(Decimal(1), "EUR")


def test_money_refuses_a_float() -> None:
    with pytest.raises(TypeError):
        Money(0.1, "USD")  # type: ignore[arg-type]
