"""The export CSV (formula cells neutralised) and import parsing with line numbers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from expense_tracker.domain.csv_format import (
    HEADER,
    neutralise,
    parse_import,
    unneutralise,
)
from expense_tracker.domain.expense import Expense, Receipt
from expense_tracker.domain.export_rows import csv_blocks, pages_of

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
HEAD = "date,amount,currency,category,description\n"


def csv_lines(expenses: list[Expense]) -> list[str]:
    return [block.decode() for block in csv_blocks(pages_of(expenses))]


def _expense(category: str = "Food", description: str = "Lunch") -> Expense:
    return Expense(
        id="01JDX3",
        user_id="u",
        amount=Decimal("12.50"),
        currency="EUR",
        category=category,
        description=description,
        date=TODAY,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_neutralised(start: str) -> None:
    cell = start + 'HYPERLINK("http://evil")'

    assert neutralise(cell) == "'" + cell
    assert unneutralise(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["Food", "'quoted", "a=b", "", "12-3"])
def test_harmless_cells_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell
    assert unneutralise(cell) == cell


def test_export_has_the_contract_header_and_one_row_per_expense() -> None:
    text = "".join(csv_lines([_expense(), _expense()]))

    rows = list(csv.reader(io.StringIO(text)))

    assert tuple(rows[0]) == HEADER
    contract = "id,date,amount,currency,category,description,receipt,created_at,updated_at"
    assert ",".join(rows[0]) == contract
    assert rows[1] == [
        "01JDX3",
        "2026-11-24",
        "12.50",
        "EUR",
        "Food",
        "Lunch",
        "false",
        "2026-11-24T19:00:00Z",
        "2026-11-24T19:00:00Z",
    ]
    assert len(rows) == 3


def test_export_neutralises_text_cells() -> None:
    text = "".join(csv_lines([_expense(category="=cmd", description="@SUM(A1)")]))

    row = list(csv.reader(io.StringIO(text)))[1]

    assert (row[4], row[5]) == ("'=cmd", "'@SUM(A1)")


def test_export_marks_a_receipt() -> None:
    receipt = Receipt("image/png", 10, NOW, "k")
    expense = _expense()
    with_receipt = Expense(**{**expense.__dict__, "receipt": receipt})

    row = list(csv.reader(io.StringIO("".join(csv_lines([with_receipt])))))[1]

    assert row[6] == "true"


def test_export_reimports_to_the_same_values() -> None:
    original = _expense(category="-minus", description='=1+1, "quoted"\nsecond line')
    text = "".join(csv_lines([original]))

    parsed = parse_import(text, default_currency="USD", today=TODAY)

    assert parsed.errors == []
    ((line, draft),) = parsed.drafts
    assert line == 2
    assert (draft.amount, draft.currency, draft.category, draft.description, draft.date) == (
        original.amount,
        original.currency,
        original.category,
        original.description,
        original.date,
    )


def test_import_reports_each_bad_line_by_number() -> None:
    text = HEAD + "2026-11-01,1.00,USD,Food,ok\n2026-11-02,abc,USD,Food,x\n2026-13-01,1,USD,,y\n"

    parsed = parse_import(text, default_currency="USD", today=TODAY)

    assert [line for line, _ in parsed.drafts] == [2]
    assert [e.line for e in parsed.errors] == [3, 4]
    assert "amount" in parsed.errors[0].message
    assert "date" in parsed.errors[1].message and "category" in parsed.errors[1].message


def test_line_numbers_count_physical_lines_and_skip_blank_ones() -> None:
    text = HEAD + '2026-11-01,1,USD,Food,"two\nlines"\n\n2026-11-02,bad,USD,Food,x\n'

    parsed = parse_import(text, default_currency="USD", today=TODAY)

    assert [line for line, _ in parsed.drafts] == [2]
    assert [e.line for e in parsed.errors] == [5]


def test_a_bad_multi_line_record_is_reported_at_its_first_line() -> None:
    text = HEAD + '2026-11-01,bad,USD,Food,"two\nlines"\n'

    parsed = parse_import(text, default_currency="USD", today=TODAY)

    assert [e.line for e in parsed.errors] == [2]


def test_import_uses_the_default_currency_when_the_cell_is_empty() -> None:
    parsed = parse_import(HEAD + "2026-11-01,1500,,Food,\n", default_currency="JPY", today=TODAY)

    assert parsed.drafts[0][1].currency == "JPY"


def test_import_accepts_the_full_export_header_in_any_order_and_ignores_id() -> None:
    text = "category,id,amount,date,currency,receipt\nFood,whatever,3.00,2026-11-01,EUR,true\n"

    parsed = parse_import(text, default_currency="USD", today=TODAY)

    assert parsed.errors == []
    assert parsed.drafts[0][1].amount == Decimal("3.00")


def test_missing_required_columns_are_reported_on_line_one() -> None:
    parsed = parse_import("date,category\n2026-11-01,Food\n", default_currency="USD", today=TODAY)

    assert parsed.drafts == []
    assert [(e.line, e.message) for e in parsed.errors] == [
        (1, "missing column(s): amount, currency")
    ]


def test_empty_file_is_missing_every_column() -> None:
    parsed = parse_import("", default_currency="USD", today=TODAY)

    assert [e.line for e in parsed.errors] == [1]


def test_extra_cells_are_an_error_of_that_line() -> None:
    parsed = parse_import(
        HEAD + "2026-11-01,1,USD,Food,x,surprise\n", default_currency="USD", today=TODAY
    )

    assert [(e.line, e.message) for e in parsed.errors] == [(2, "more cells than columns")]


@pytest.mark.parametrize(
    "broken",
    [
        '2026-11-01,1,USD,Food,"never closed\n',
        '2026-11-01,1,USD,Food,"a"b\n',
        "2026-11-01,1,USD,Food," + "x" * 200_000 + "\n",
    ],
    ids=["unterminated-quote", "text-after-quote", "huge-cell"],
)
def test_malformed_csv_is_an_error_not_a_crash(broken: str) -> None:
    text = HEAD + "2026-11-01,1,USD,Food,fine\n" + broken

    parsed = parse_import(text, default_currency="USD", today=TODAY)

    assert [line for line, _ in parsed.drafts] == [2]
    assert [e.line for e in parsed.errors] == [3]
    assert "not valid CSV" in parsed.errors[0].message
