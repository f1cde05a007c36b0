"""The export writers: a block per page, and the same bytes as writing every record at once."""

from __future__ import annotations

import csv
import io
import json

from expense_tracker.domain.csv_format import HEADER, neutralise
from expense_tracker.domain.export_rows import (
    csv_blocks,
    export_row,
    json_blocks,
    json_record,
    pages_of,
)
from tests.contract.factories import make_expense

EXPENSES = [
    make_expense("u", description=text, category=category)
    for text, category in (("=1+1", "Food"), ('a "quoted", ünï\r\nline', "-x"), ("", "@c"))
] * 3


def test_json_export_is_json_dumps_of_every_record_in_blocks_per_page() -> None:
    blocks = list(json_blocks(pages_of(EXPENSES, size=4)))

    records = [json_record(export_row(e)) for e in EXPENSES]
    assert b"".join(blocks).decode() == json.dumps(records, ensure_ascii=False) + "\n"
    assert len(blocks) == 2 + 3  # "[", three pages (4, 4, 1 rows), "]"


def test_empty_json_export_is_an_empty_array() -> None:
    assert b"".join(json_blocks(pages_of([]))) == b"[]\n"


def test_csv_export_is_csv_writer_of_every_row_neutralised() -> None:
    blocks = list(csv_blocks(pages_of(EXPENSES, size=4)))

    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in EXPENSES:
        r = export_row(e)
        writer.writerow(
            [r.id, r.date, r.amount, r.currency, neutralise(r.category),
             neutralise(r.description), "false", r.created_at, r.updated_at]
        )  # fmt: skip
    assert b"".join(blocks).decode() == expected.getvalue()
    assert len(blocks) == 1 + 3  # the header, then a block per page
