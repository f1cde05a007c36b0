"""Expense <-> plain dict of JSON-safe values, for snapshots and document stores."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .expense import Expense, Receipt


def expense_to_record(expense: Expense) -> dict[str, Any]:
    receipt = expense.receipt
    return {
        "id": expense.id,
        "user_id": expense.user_id,
        "amount": expense.amount_text,
        "currency": expense.currency,
        "category": expense.category,
        "description": expense.description,
        "date": expense.date.isoformat(),
        "created_at": expense.created_at.isoformat(),
        "updated_at": expense.updated_at.isoformat(),
        "version": expense.version,
        "recurring_id": expense.recurring_id,
        "receipt": None
        if receipt is None
        else {
            "content_type": receipt.content_type,
            "size": receipt.size,
            "uploaded_at": receipt.uploaded_at.isoformat(),
            "key": receipt.key,
        },
    }


def expense_from_record(record: dict[str, Any]) -> Expense:
    receipt = record.get("receipt")
    return Expense(
        id=str(record["id"]),
        user_id=str(record["user_id"]),
        amount=Decimal(str(record["amount"])),
        currency=str(record["currency"]),
        category=str(record["category"]),
        description=str(record["description"]),
        date=date.fromisoformat(str(record["date"])),
        created_at=datetime.fromisoformat(str(record["created_at"])),
        updated_at=datetime.fromisoformat(str(record["updated_at"])),
        version=int(record["version"]),
        recurring_id=_optional_text(record.get("recurring_id")),
        receipt=None
        if not receipt
        else Receipt(
            content_type=str(receipt["content_type"]),
            size=int(receipt["size"]),
            uploaded_at=datetime.fromisoformat(str(receipt["uploaded_at"])),
            key=str(receipt["key"]),
        ),
    )


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)
