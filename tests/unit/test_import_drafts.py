"""DraftMaker, the import's validate_draft: the same drafts and the same errors, row by row."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from expense_tracker.domain.errors import Invalid
from expense_tracker.domain.expense import RawExpense, validate_draft
from expense_tracker.domain.import_drafts import DraftMaker

TODAY = date(2026, 12, 2)
ROWS: list[tuple[Any, ...]] = [
    (Decimal("12.5"), "EUR", "Food", "coffee", date(2026, 11, 1)),
    (Decimal("12.50"), None, "  Food  and drink ", "  padded  ", date(2026, 11, 1)),
    (Decimal("1E+3"), "JPY", "Travel", "", date(1970, 1, 1)),
    (Decimal("1.2345"), "CLF", "Other", "four decimals", date(2026, 1, 1)),
    (Decimal("12.505"), "EUR", "Food", "too many decimals", date(2026, 11, 1)),
    (Decimal("5"), "JPY", "Food", "yen", date(2026, 11, 1)),
    (Decimal("5.5"), "JPY", "Food", "yen with cents", date(2026, 11, 1)),
    (Decimal("0"), "EUR", "Food", "nothing", date(2026, 11, 1)),
    (Decimal("1000000000001"), "EUR", "Food", "too much", date(2026, 11, 1)),
    (Decimal("NaN"), "EUR", "Food", "not a number", date(2026, 11, 1)),
    (Decimal("3.00"), "XXX", "Food", "unknown currency", date(2026, 11, 1)),
    (Decimal("3.00"), "EUR", "", "no category", date(2026, 11, 1)),
    (Decimal("3.00"), "EUR", "Food\u202e", "a bidi override", date(2026, 11, 1)),
    (Decimal("3.00"), "EUR", "Food", "a control\x07", date(2026, 11, 1)),
    (Decimal("3.00"), "EUR", "Food", "x" * 501, date(2026, 11, 1)),
    (Decimal("3.00"), "EUR", "Food", "a moment", datetime(2026, 11, 1, 12)),
    (Decimal("-3.00"), "XXX", "", "x" * 501, date(2026, 11, 1)),
]


def _outcome(call: Any) -> object:
    try:
        return repr(call())  # repr: Decimal("12.50") and Decimal("12.5") are equal
    except Invalid as exc:
        return [(e.field, e.message) for e in exc.errors]


@pytest.mark.parametrize("row", ROWS)
def test_a_row_validates_as_validate_draft_validates_it(row: tuple[Any, ...]) -> None:
    maker = DraftMaker(default_currency="USD", today=TODAY)
    raw = RawExpense(*row)
    expected = _outcome(lambda: validate_draft(raw, default_currency="USD", today=TODAY))
    for _ in range(2):  # the second time through the cached category
        assert _outcome(lambda: maker.draft(*row)) == expected
