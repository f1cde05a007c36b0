"""Field extraction on OCR text: the traps of real receipts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from expense_tracker.domain.receipt_fields import (
    Hint,
    LineItem,
    TextLine,
    extract,
    group_rows,
)
from expense_tracker.domain.receipt_text import month_first, to_decimal


def rows(*texts: str, confidence: float = 0.95) -> list[TextLine]:
    return [TextLine(text, confidence) for text in texts]


def test_grand_total_wins_over_subtotal_tax_and_change() -> None:
    fields = extract(
        rows(
            "CORNER GROCER",
            "2026-11-24 18:02",
            "Milk            1.99",
            "Bread           3.50",
            "SUBTOTAL        5.49",
            "TAX 8%          0.44",
            "TOTAL           5.93",
            "CASH           20.00",
            "CHANGE         14.07",
        ),
        default_currency="USD",
    )
    assert fields.total == Decimal("5.93")
    assert fields.confidence["total"] > 0.8


def test_a_return_date_in_the_footer_is_not_the_purchase_date() -> None:
    fields = extract(
        rows(
            "BOOK NOOK",
            "TOTAL  €12,90",
            "Datum: 03.02.2026",
            "Returns accepted until 03.03.2026",
        ),
        default_currency="USD",
    )
    assert fields.date == date(2026, 2, 3)
    assert fields.currency == "EUR"


@pytest.mark.parametrize(
    ("printed", "currency", "expected"),
    [
        ("1,234.56", "USD", "1234.56"),
        ("1.234,56", "EUR", "1234.56"),
        ("1 234,56", "EUR", "1234.56"),
        ("1'234.50", "CHF", "1234.50"),
        ("12,50", "EUR", "12.50"),
        ("1,234", "JPY", "1234"),
        ("1.250", "KWD", "1.250"),
        ("1.234.567,00", "EUR", "1234567.00"),
    ],
)
def test_thousands_separators_of_each_locale(printed: str, currency: str, expected: str) -> None:
    assert to_decimal(printed, currency) == Decimal(expected)


def test_german_receipt_with_thousands_separator_total() -> None:
    fields = extract(
        rows("ELEKTRO MARKT", "24.11.2026", "Fernseher 1.299,00", "SUMME EUR 1.299,00"),
        default_currency="USD",
    )
    assert (fields.total, fields.currency) == (Decimal("1299.00"), "EUR")


def test_the_users_locale_breaks_a_day_month_tie() -> None:
    lines = rows("CAFE", "Date: 03/04/2026", "TOTAL 4.20")
    us = extract(lines, default_currency="USD", locale="en-US")
    uk = extract(lines, default_currency="GBP", locale="en-GB")
    assert us.date == date(2026, 3, 4)
    assert uk.date == date(2026, 4, 3)
    assert us.confidence["date"] < 0.8  # a guess is marked for the user to check


def test_an_unambiguous_day_ignores_the_locale() -> None:
    fields = extract(rows("CAFE", "13/04/2026", "TOTAL 4.20"), default_currency="USD")
    assert fields.date == date(2026, 4, 13)


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Nov 24, 2026", date(2026, 11, 24)),
        ("24 November 2026", date(2026, 11, 24)),
        ("24. Dezember 2026", date(2026, 12, 24)),
        ("2026/01/05", date(2026, 1, 5)),
        ("05-01-26", date(2026, 5, 1)),
        ("Date: 0ct 17,2026", date(2026, 10, 17)),  # OCR reads the O of October as a zero
        ("17. 0kt 2026", date(2026, 10, 17)),
    ],
)
def test_many_printed_date_formats(printed: str, expected: date) -> None:
    assert extract(rows("SHOP", printed), default_currency="USD").date == expected


def test_currency_from_code_symbol_or_the_users_default() -> None:
    assert extract(rows("SHOP", "TOTAL 10.00 GBP"), default_currency="USD").currency == "GBP"
    assert extract(rows("SHOP", "TOTAL £10.00"), default_currency="USD").currency == "GBP"
    assert extract(rows("SHOP", "TOTAL $10.00"), default_currency="CAD").currency == "CAD"
    assert extract(rows("SHOP", "TOTALCHF 10.00"), default_currency="USD").currency == "CHF"
    assert extract(rows("SHOP", "TOTALT 99,00kr"), default_currency="NOK").currency == "NOK"
    plain = extract(rows("SHOP", "TOTAL 10.00"), default_currency="SEK")
    assert plain.currency == "SEK"
    assert plain.confidence["currency"] <= 0.5


def test_merchant_is_the_first_name_like_row_not_a_banner() -> None:
    fields = extract(
        rows("*** RECEIPT ***", "Green Leaf Market", "12 High St", "TOTAL 3.00"),
        default_currency="USD",
    )
    assert fields.merchant == "Green Leaf Market"


def test_line_items_stop_at_the_subtotal() -> None:
    fields = extract(
        rows("SHOP", "Apples  2.40", "Coffee beans  11.90", "Subtotal  14.30", "Total 14.30"),
        default_currency="EUR",
    )
    assert fields.line_items == (
        LineItem("Apples", Decimal("2.40")),
        LineItem("Coffee beans", Decimal("11.90")),
    )


def test_a_total_printed_on_the_next_row_is_found() -> None:
    fields = extract(rows("SHOP", "Milk 2.00", "AMOUNT DUE", "2.00"), default_currency="USD")
    assert fields.total == Decimal("2.00")


def test_no_amount_at_all_gives_no_total_and_zero_confidence() -> None:
    fields = extract(rows("HELLO", "THANK YOU"), default_currency="USD")
    assert (fields.total, fields.confidence["total"]) == (None, 0.0)


def test_typed_hints_from_the_reader_win() -> None:
    fields = extract(
        rows("blurry", "TOTAL 9.99"),
        default_currency="USD",
        hints={"total": Hint("$10.99", 0.98), "merchant": Hint("ACME Corp", 0.9)},
    )
    assert (fields.total, fields.merchant) == (Decimal("10.99"), "ACME Corp")


def test_boxes_on_one_printed_row_are_joined_left_to_right() -> None:
    lines = [
        TextLine("12.50", 0.9, (300, 101, 360, 119)),
        TextLine("TOTAL", 0.9, (10, 100, 80, 120)),
        TextLine("SHOP", 0.9, (10, 10, 80, 30)),
    ]
    assert [r.text for r in group_rows(lines)] == ["SHOP", "TOTAL  12.50"]


def test_month_first_locales() -> None:
    assert month_first("en-US") and month_first("en")
    assert not month_first("en-GB") and not month_first("de") and not month_first("fr-CA")


def test_a_decimal_point_read_as_a_colon_after_a_sign_is_still_the_total() -> None:
    fields = extract(
        rows("SHOP", "Date: 05/17/2026  19:31", "TOTAL  $105:92"), default_currency="USD"
    )
    assert (fields.total, fields.date) == (Decimal("105.92"), date(2026, 5, 17))
