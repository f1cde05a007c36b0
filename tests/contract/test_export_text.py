"""`export_text`: the whole export file, byte for byte what the row writers (csv.writer and
json.dumps over export_pages) make of the same expenses, however awkward the text. SQLite
builds each line in SQL (adapters/sqlite/export_sql.py), so this is where a difference shows."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from expense_tracker.domain.expense import Expense, ExpenseFilter, Receipt
from expense_tracker.domain.export_rows import ExportFormat, row_blocks
from expense_tracker.ports import ExpenseStore

from .factories import make_expense, new_user

AWKWARD = (
    "plain", "", "a,b", 'say "hi"', '"', "line\nbreak", "cr\rhere", "crlf\r\nend", "tab\tin",
    "=SUM(A1)", "+1", "-2", "@cmd", "\tlead tab", "\rlead cr", "=a,b", '=x"y', "'quoted",
    "back\\slash", "ünïcødé €", "emoji 😀", "ctrl \x01\x1f\x7f", "\u2028sep", "{\"json\": 1}",
)  # fmt: skip
AMOUNTS = (("1000", "JPY"), ("0.01", "EUR"), ("1000000000000.00", "USD"), ("1.005", "KWD"),
           ("12.3456", "CLF"), ("7.10", "GBP"))  # fmt: skip


def _awkward_expenses(user: str) -> list[Expense]:
    start = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    made = []
    for n, text in enumerate(AWKWARD):
        amount, currency = AMOUNTS[n % len(AMOUNTS)]
        expense = make_expense(
            user,
            amount=amount,
            currency=currency,
            category=AWKWARD[-n - 1] or "x",
            description=text,
            day=date(2026, 1, 1) + timedelta(days=n % 4),
            created_at=start + timedelta(seconds=n),  # with and without microseconds
        )
        if n % 3 == 0:
            receipt = Receipt("image/png", 10 + n, start, f"users/{user}/receipts/{expense.id}/r")
            expense = replace(expense, receipt=receipt, version=2, recurring_id=f"series-{n}")
        made.append(expense)
    return made


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_text_is_byte_for_byte_what_the_row_writers_make(
    store: ExpenseStore, fmt: ExportFormat
) -> None:
    user = new_user()
    store.add_many(_awkward_expenses(user))
    store.add_many([make_expense(new_user(), description="not mine")])
    blocks = list(store.export_text(user, ExpenseFilter(), fmt))
    expected = list(row_blocks(store.export_pages(user, ExpenseFilter()), fmt))

    text = b"".join(b.data for b in blocks)
    assert text == b"".join(b.data for b in expected)
    assert sum(b.rows for b in blocks) == len(AWKWARD)
    assert b"not mine" not in text


def test_exported_text_reads_back_as_the_stored_cells(store: ExpenseStore) -> None:
    """An independent reader: csv and json parse it back to the text that was stored (with
    csv_format's formula guard), so neither writer can drift with the other."""
    user = new_user()
    stored = _awkward_expenses(user)
    store.add_many(stored)
    by_id = {e.id: e for e in stored}

    csv_text = b"".join(b.data for b in store.export_text(user, ExpenseFilter(), "csv"))
    records = list(csv.DictReader(io.StringIO(csv_text.decode(), newline="")))
    for record in records:
        description = by_id[record["id"]].description
        guarded = (
            "'" + description if description[:1] in "=+-@\t\r" and description else description
        )
        assert record["description"] == guarded
    json_text = b"".join(b.data for b in store.export_text(user, ExpenseFilter(), "json"))
    assert [(r["id"], r["description"]) for r in json.loads(json_text)] == [
        (r["id"], by_id[r["id"]].description) for r in records
    ]
    assert len(records) == len(stored)


def test_export_text_pages_through_many_rows_in_order_and_filters(store: ExpenseStore) -> None:
    user = new_user()
    store.add_many(
        [
            make_expense(user, category="travel" if n % 3 else "food", day=date(2025, 1, 1) +
                         timedelta(days=n % 50))
            for n in range(1200)  # past one page of text (TEXT_PAGE)
        ]
    )  # fmt: skip
    some_days = ExpenseFilter(date_from=date(2025, 1, 10), date_to=date(2025, 1, 20))
    for filters in (ExpenseFilter(), ExpenseFilter(category="travel"), some_days):
        got = b"".join(b.data for b in store.export_text(user, filters, "csv"))
        want = b"".join(b.data for b in row_blocks(store.export_pages(user, filters), "csv"))
        assert got == want
        assert got.count(b"\r\n") - 1 == sum(len(p) for p in store.export_pages(user, filters))
