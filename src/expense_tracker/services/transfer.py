"""Export (streamed CSV/JSON) and import (the export's CSV) of a user's expenses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..domain.csv_format import LineError, parse_import, utc_text
from ..domain.errors import FieldError, Invalid, PayloadTooLarge
from ..domain.expense import Expense, ExpenseFilter
from ..domain.export_rows import data_of
from ..ports import Clock, ExpenseStore, Profiles
from .expenses import check_range, new_expense

MAX_IMPORT_BYTES = 10 * 1024 * 1024


def public_record(expense: Expense) -> dict[str, object]:
    """The API's representation of an expense (also the JSON export's)."""
    receipt = expense.receipt
    return {
        "id": expense.id,
        "amount": expense.amount_text,
        "currency": expense.currency,
        "category": expense.category,
        "description": expense.description,
        "date": expense.date.isoformat(),
        "receipt": None
        if receipt is None
        else {
            "content_type": receipt.content_type,
            "size": receipt.size,
            "uploaded_at": utc_text(receipt.uploaded_at),
        },
        "created_at": utc_text(expense.created_at),
        "updated_at": utc_text(expense.updated_at),
        "version": expense.version,
        "recurring_id": expense.recurring_id,
    }


def export_csv(*, store: ExpenseStore, user_id: str, filters: ExpenseFilter) -> Iterator[bytes]:
    """The header, then one block of bytes per page of the store: memory holds a page."""
    check_range(filters.date_from, filters.date_to)
    return data_of(store.export_text(user_id, filters, "csv"))


def export_json(*, store: ExpenseStore, user_id: str, filters: ExpenseFilter) -> Iterator[bytes]:
    """A JSON array, one block of bytes per page of the store, so memory stays flat."""
    check_range(filters.date_from, filters.date_to)
    return data_of(store.export_text(user_id, filters, "json"))


@dataclass(frozen=True)
class ImportResult:
    imported: int
    errors: list[LineError]  # the first MAX_REPORTED_ERRORS
    error_count: int


def import_csv(
    *,
    store: ExpenseStore,
    clock: Clock,
    profiles: Profiles,
    user_id: str,
    data: bytes,
    partial: bool = False,
) -> ImportResult:
    """All-or-nothing unless `partial`: with any bad line and not partial, nothing is added."""
    if len(data) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge("The file must be at most 10 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(FieldError("file", "must be UTF-8 text")) from exc
    parsed = parse_import(
        text, default_currency=profiles.default_currency(user_id), today=clock.today()
    )
    if parsed.error_count and not partial:
        return ImportResult(0, parsed.errors, parsed.error_count)
    expenses = [new_expense(user_id, draft, clock) for _, draft in parsed.drafts]
    store.add_many(expenses)
    return ImportResult(len(expenses), parsed.errors, parsed.error_count)
