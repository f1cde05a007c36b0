"""The statement parsers on hand-written files of every format, good and malformed."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from expense_tracker.domain.statements import LineError, Outcome, StatementFormat, StatementRow
from expense_tracker.domain.statements.csv_rows import ColumnMapping
from expense_tracker.domain.statements.detect import detect_format, format_mismatch
from expense_tracker.domain.statements.parse import parse_statement

DATA = Path(__file__).parent.parent / "data" / "statements"


def parse(name: str, fmt: StatementFormat, **options: object) -> list[Outcome]:
    with (DATA / name).open("rb") as stream:
        return list(parse_statement(fmt, stream, **options))  # type: ignore[arg-type]


def rows(outcomes: list[Outcome]) -> list[StatementRow]:
    return [o for o in outcomes if isinstance(o, StatementRow)]


def errors(outcomes: list[Outcome]) -> list[tuple[int, str]]:
    return [(o.line, o.message) for o in outcomes if isinstance(o, LineError)]


def test_ofx_sgml_v1_rows_have_fitids_directions_and_the_statement_currency() -> None:
    found = rows(parse("ofx_v1_sgml.ofx", "ofx"))
    assert [(r.line, r.amount, r.direction, r.bank_id) for r in found] == [
        (16, Decimal("42.10"), "debit", "2026110301"),
        (17, Decimal("3.50"), "debit", "2026110502"),
        (18, Decimal("2500.00"), "credit", "2026111003"),
        (19, Decimal("500.00"), "transfer", "2026111204"),
    ]
    assert {r.currency for r in found} == {"USD"}
    assert found[0].description == "TESCO STORES 2041 - Card purchase"


def test_ofx_xml_v2_reads_a_transactions_own_currency() -> None:
    found = rows(parse("ofx_v2_xml.qfx", "ofx"))
    assert [(r.description, r.currency, r.direction) for r in found] == [
        ("Netflix.com", "EUR", "debit"),
        ("Shell - Fuel", "USD", "debit"),
        ("Payment - thank you", "EUR", "credit"),
    ]


def test_qif_splits_become_rows_and_bracketed_categories_are_transfers() -> None:
    found = rows(parse("qif_bank_splits.qif", "qif"))
    costco = [(r.amount, r.category) for r in found if r.description == "Costco"]
    assert costco == [(Decimal("20.00"), "Household:Cleaning"), (Decimal("100.00"), "Groceries")]
    assert [r.direction for r in found if r.description == "To savings"] == ["transfer"]
    # "11/ 5'26": a space for a zero and an apostrophe before a two-digit year
    assert found[1].date == date(2026, 11, 5)


def test_qif_dates_are_day_first_when_asked() -> None:
    text = b"!Type:Bank\nD03/11/2026\nT-1.00\nPShop\n^\n"
    month_first = rows(list(parse_statement("qif", io.BytesIO(text))))
    day_first = rows(list(parse_statement("qif", io.BytesIO(text), day_first=True)))
    assert (month_first[0].date, day_first[0].date) == (date(2026, 3, 11), date(2026, 11, 3))


def test_camt053_batched_entry_gives_one_row_per_transaction_and_skips_pending() -> None:
    found = rows(parse("camt053_batched.xml", "camt053"))
    assert [(r.line, r.amount, r.bank_id, r.direction) for r in found] == [
        (8, Decimal("23.40"), "REF-0001", "debit"),
        (21, Decimal("100.00"), "E2E-A", "debit"),
        (21, Decimal("50.00"), "E2E-B", "debit"),
        (43, Decimal("2500.00"), "REF-0003", "credit"),
    ]
    assert found[1].description == "Stadtwerke - Strom November"


def test_mt940_joins_multi_line_details_and_keeps_the_bank_reference() -> None:
    found = rows(parse("mt940_multiline.sta", "mt940"))
    assert [(r.line, r.direction, r.bank_id) for r in found] == [
        (5, "debit", "REF0001"),
        (8, "debit", "REF0002"),
        (10, "credit", "REF0003"),
    ]
    assert found[2].description == "ACME PAYROLL NOVEMBER SALARY"


def test_our_csv_keeps_ids_and_names_bad_lines() -> None:
    outcomes = parse("csv_ours_bad_lines.csv", "csv")
    assert rows(outcomes)[0].expense_id == "01JDX3AAAAAAAAAAAAAAAAAAAA"
    assert [line for line, _ in errors(outcomes)] == [3, 4]
    assert "amount" in errors(outcomes)[0][1] and "date" in errors(outcomes)[1][1]
    assert rows(outcomes)[1].description == '=HYPERLINK("x")'  # the export's quote undone


def test_mapped_csv_reads_german_dates_decimal_commas_and_semicolons() -> None:
    mapping = ColumnMapping(
        date="Buchungstag",
        amount="Betrag",
        currency="Währung",
        description="Verwendungszweck",
        date_format="%d.%m.%Y",
        decimal=",",
    )
    outcomes = parse("bank_mapped_de.csv", "csv", mapping=mapping)
    assert [(r.amount, r.direction) for r in rows(outcomes)] == [
        (Decimal("1234.50"), "debit"),
        (Decimal("3.20"), "debit"),
        (Decimal("2500.00"), "credit"),
    ]
    assert rows(outcomes)[1].description == "Bäckerei; Brötchen"
    assert errors(outcomes) == [(5, "date: '31.11.2026' does not match %d.%m.%Y")]


def test_mapped_csv_names_missing_columns_on_line_one() -> None:
    mapping = ColumnMapping(date="Datum", amount="Betrag")
    assert errors(parse("bank_mapped_de.csv", "csv", mapping=mapping)) == [
        (1, "missing column(s): Datum")
    ]


@pytest.mark.parametrize(
    ("name", "fmt", "line"),
    [
        ("ofx_truncated.ofx", "ofx", 1),
        ("qif_bad_lines.qif", "qif", 6),
        ("camt053_truncated.xml", "camt053", 31),
        ("mt940_bad_record.sta", "mt940", 8),
    ],
)
def test_malformed_files_name_the_line(name: str, fmt: StatementFormat, line: int) -> None:
    assert errors(parse(name, fmt))[0][0] == line


def test_qif_bad_amount_says_which_field() -> None:
    assert errors(parse("qif_bad_lines.qif", "qif"))[1] == (
        10,
        "not a valid QIF transaction: an amount (T, $ line) is not a number",
    )


def test_xml_entity_expansion_is_refused() -> None:
    assert errors(parse("camt053_entity_bomb.xml", "camt053")) == [
        (2, "DTDs and entities are not allowed in a statement")
    ]


def test_text_that_is_not_utf8_ends_the_file_with_an_error() -> None:
    data = (
        b"date,amount,currency,category\n2026-11-01,1.00,EUR,Food\n2026-11-02,2.00,EUR,\xff\xfe\n"
    )
    outcomes = list(parse_statement("csv", io.BytesIO(data)))
    assert errors(outcomes)[-1][1] == "the file is not UTF-8 text; not read further"


def test_a_huge_csv_cell_is_an_error_not_a_memory_hog() -> None:
    data = b'date,amount,currency,category,description\n2026-11-01,1,EUR,F,"' + b"x" * 300_000
    assert "not valid CSV" in errors(list(parse_statement("csv", io.BytesIO(data))))[0][1]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("ofx_v1_sgml.ofx", "ofx"),
        ("ofx_v2_xml.qfx", "ofx"),
        ("qif_bank_splits.qif", "qif"),
        ("camt053_batched.xml", "camt053"),
        ("mt940_multiline.sta", "mt940"),
        ("bank_mapped_de.csv", "csv"),
        ("csv_ours_bad_lines.csv", "csv"),
    ],
)
def test_the_format_is_detected_from_the_bytes(name: str, fmt: str) -> None:
    assert detect_format((DATA / name).read_bytes()) == fmt


def test_a_mismatch_and_binary_junk_are_named() -> None:
    qif = (DATA / "qif_bank_splits.qif").read_bytes()
    assert format_mismatch("csv", qif) == "the file looks like QIF, not CSV"
    assert format_mismatch("qif", qif) is None
    assert format_mismatch("ofx", b"\x89PNG\r\n\x1a\n\x00\x00") == (
        "the file is not a text statement (it holds binary data)"
    )
