"""Expense <-> DynamoDB item, and the key of every kind of item (see dynamodb_schema).

Amounts are stored as integer minor units in an ``N`` attribute: exact, and what the aggregates
ADD up. Text filters run on folded copies (``category_fold``, ``description_fold``) because
DynamoDB compares case-sensitively; they are folded exactly as ``ExpenseFilter.matches`` folds
them (str.casefold, which also folds beyond ASCII: "Straße" matches "STRASSE")."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from ...domain.errors import StorageError
from ...domain.expense import Expense, Receipt
from ...domain.money import from_minor, to_minor
from .dynamodb_schema import DATE_INDEX_SORT_KEY, PARTITION_KEY, SORT_KEY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    Item = dict[str, AttributeValueTypeDef]
    ItemView = Mapping[str, AttributeValueTypeDef]

EXPENSE_PREFIX = "EXP#"
IDEMPOTENCY_PREFIX = "IDEM#"
MONTH_PREFIX = "AGG#M#"
DAY_PREFIX = "AGG#D#"
PROFILE_SK = "PROFILE"
# Sorts after "#", so "<date>$" is above every "<date>#<id>" of that date.
AFTER_DATE = "$"


def s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def n(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def key(user_id: str, sort_key: str) -> Item:
    return {PARTITION_KEY: s(user_pk(user_id)), SORT_KEY: s(sort_key)}


def expense_key(user_id: str, expense_id: str) -> Item:
    return key(user_id, EXPENSE_PREFIX + expense_id)


def idempotency_key(user_id: str, client_key: str) -> Item:
    # Hashed: a client's key may be 255 characters of any script, more than a sort key allows.
    digest = hashlib.sha256(client_key.encode()).hexdigest()
    return key(user_id, IDEMPOTENCY_PREFIX + digest)


def date_id(day: date, expense_id: str) -> str:
    """The index sort key: sorts as (date, id) because dates have a fixed width."""
    return f"{day.isoformat()}#{expense_id}"


def fold(text: str) -> str:
    return text.casefold()


def expense_to_item(expense: Expense) -> Item:
    item: Item = {
        **expense_key(expense.user_id, expense.id),
        DATE_INDEX_SORT_KEY: s(date_id(expense.date, expense.id)),
        "id": s(expense.id),
        "user_id": s(expense.user_id),
        "amount_minor": n(to_minor(expense.amount, expense.currency)),
        "currency": s(expense.currency),
        "category": s(expense.category),
        "category_fold": s(fold(expense.category)),
        "description": s(expense.description),
        "description_fold": s(fold(expense.description)),
        "date": s(expense.date.isoformat()),
        "created_at": s(expense.created_at.isoformat()),
        "updated_at": s(expense.updated_at.isoformat()),
        "version": n(expense.version),
    }
    if expense.recurring_id is not None:
        item["recurring_id"] = s(expense.recurring_id)
    if expense.receipt is not None:
        item["receipt"] = {"M": receipt_to_map(expense.receipt)}
    return item


def receipt_to_map(receipt: Receipt) -> Item:
    return {
        "content_type": s(receipt.content_type),
        "size": n(receipt.size),
        "uploaded_at": s(receipt.uploaded_at.isoformat()),
        "key": s(receipt.key),
    }


def text(item: ItemView, name: str) -> str:
    value = item[name].get("S")
    if value is None:
        raise StorageError(f"item attribute {name} is not a string")
    return value


def number(item: ItemView, name: str) -> int:
    value = item[name].get("N")
    if value is None:
        raise StorageError(f"item attribute {name} is not a number")
    return int(value)


def receipt_from_item(item: ItemView) -> Receipt | None:
    found = item.get("receipt")
    if found is None or "M" not in found:
        return None
    fields: ItemView = found["M"]
    return Receipt(
        content_type=text(fields, "content_type"),
        size=number(fields, "size"),
        uploaded_at=datetime.fromisoformat(text(fields, "uploaded_at")),
        key=text(fields, "key"),
    )


def expense_from_item(item: ItemView) -> Expense:
    currency = text(item, "currency")
    return Expense(
        id=text(item, "id"),
        user_id=text(item, "user_id"),
        amount=from_minor(number(item, "amount_minor"), currency),
        currency=currency,
        category=text(item, "category"),
        description=text(item, "description"),
        date=date.fromisoformat(text(item, "date")),
        created_at=datetime.fromisoformat(text(item, "created_at")),
        updated_at=datetime.fromisoformat(text(item, "updated_at")),
        version=number(item, "version"),
        receipt=receipt_from_item(item),
        recurring_id=text(item, "recurring_id") if "recurring_id" in item else None,
    )
