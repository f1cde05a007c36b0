"""An expense as the exports write it: flat, already in the API's text, a page at a time.

An export of a million rows spends its time making objects, not writing bytes. So a store
hands out these flat rows (SQLite straight from its columns, without an Expense, a Decimal or
a datetime per row) in pages, and the writers turn each page into one block of bytes: one
write, one thread hop, one chunk of a streamed response per page, never per row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Literal, NamedTuple

from .csv_format import FORMULA_STARTS, HEADER, utc_text
from .expense import Expense

EXPORT_PAGE = 2000  # rows per page: a block of about 200 KB of CSV
ExportFormat = Literal["csv", "json"]
CSV_HEADER_LINE = ",".join(HEADER) + "\r\n"  # the names need no quoting


class ExportRow(NamedTuple):
    id: str
    date: str  # YYYY-MM-DD
    amount: str  # the currency's minor digits, always ("12.50", "1000")
    currency: str
    category: str
    description: str
    created_at: str  # UTC as the API writes it ("...T19:00:00Z")
    updated_at: str
    version: int
    recurring_id: str | None
    receipt_type: str | None  # the receipt's content type; None: no receipt
    receipt_size: int | None
    receipt_uploaded_at: str | None
    receipt_key: str | None  # never written out: the evidence pack reads the file by it


def export_row(expense: Expense) -> ExportRow:
    receipt = expense.receipt
    return ExportRow(
        expense.id,
        expense.date.isoformat(),
        expense.amount_text,
        expense.currency,
        expense.category,
        expense.description,
        utc_text(expense.created_at),
        utc_text(expense.updated_at),
        expense.version,
        expense.recurring_id,
        receipt.content_type if receipt else None,
        receipt.size if receipt else None,
        utc_text(receipt.uploaded_at) if receipt else None,
        receipt.key if receipt else None,
    )


def pages_of(expenses: Iterable[Expense], size: int = EXPORT_PAGE) -> Iterator[list[ExportRow]]:
    """Export pages from expenses, for stores that have no faster way."""
    rows = map(export_row, expenses)
    while page := list(islice(rows, size)):
        yield page


def json_record(row: ExportRow) -> dict[str, object]:
    """The API's representation of an expense (services.transfer.public_record), from a row."""
    return {
        "id": row.id,
        "amount": row.amount,
        "currency": row.currency,
        "category": row.category,
        "description": row.description,
        "date": row.date,
        "receipt": None
        if row.receipt_type is None
        else {
            "content_type": row.receipt_type,
            "size": row.receipt_size,
            "uploaded_at": row.receipt_uploaded_at,
        },
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "version": row.version,
        "recurring_id": row.recurring_id,
    }


def json_blocks(pages: Iterable[list[ExportRow]]) -> Iterator[bytes]:
    """A JSON array of the API's records, one block of bytes per page: byte for byte what
    `json.dumps(every_record, ensure_ascii=False) + "\n"` would write, one encoder call a page."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    yield b"["
    separator = ""
    for page in pages:
        if page:
            yield (separator + encode([json_record(r) for r in page])[1:-1]).encode()
            separator = ", "
    yield b"]\n"


def csv_blocks(pages: Iterable[list[ExportRow]]) -> Iterator[bytes]:
    """The CSV export (csv_format's header and cell rules), the header then a block per page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def block() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode()

    writer.writerow(HEADER)
    yield block()
    for page in pages:
        # csv_format.neutralise, inlined: two calls a row add up over a million rows.
        writer.writerows(
            [
                (
                    r.id,
                    r.date,
                    r.amount,
                    r.currency,
                    "'" + r.category if r.category.startswith(FORMULA_STARTS) else r.category,
                    "'" + r.description
                    if r.description.startswith(FORMULA_STARTS)
                    else r.description,
                    "false" if r.receipt_type is None else "true",
                    r.created_at,
                    r.updated_at,
                )
                for r in page
            ]
        )
        yield block()


class TextBlock(NamedTuple):
    """A block of an export file and how many expenses it holds (for progress)."""

    data: bytes
    rows: int


def text_blocks(pages: Iterable[list[str]], fmt: ExportFormat) -> Iterator[TextBlock]:
    """The export file from pages of finished CSV lines or JSON records (a store that writes
    them itself): the same bytes as csv_blocks and json_blocks, one block per page."""
    if fmt == "csv":
        yield TextBlock(CSV_HEADER_LINE.encode(), 0)
        for lines in pages:
            yield TextBlock("".join(lines).encode(), len(lines))
        return
    yield TextBlock(b"[", 0)
    separator = ""
    for records in pages:
        if records:
            yield TextBlock((separator + ", ".join(records)).encode(), len(records))
            separator = ", "
    yield TextBlock(b"]\n", 0)


def row_blocks(pages: Iterable[list[ExportRow]], fmt: ExportFormat) -> Iterator[TextBlock]:
    """The export file from pages of export rows, for stores that have no faster way."""
    counted: list[int] = []

    def counting() -> Iterator[list[ExportRow]]:
        for page in pages:
            counted.append(len(page))
            yield page

    for block in (csv_blocks if fmt == "csv" else json_blocks)(counting()):
        yield TextBlock(block, counted.pop() if counted else 0)


def data_of(blocks: Iterable[TextBlock]) -> Iterator[bytes]:
    return (block.data for block in blocks)
