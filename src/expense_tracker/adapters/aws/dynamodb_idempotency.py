"""Idempotency-Key records on DynamoDB: written in the add's own transaction, kept at least
as long as the contract promises (IDEMPOTENCY_RETENTION, from the first request's created_at),
then removed by the table's TTL.

TTL deletion is lazy (up to days late), so a record also carries ``honoured_until`` in exact
epoch microseconds: past it, the record is ignored on read and may be overwritten, exactly as
the memory store forgets a key.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ...domain.errors import FieldError, Invalid
from ...domain.expense import Expense
from ...domain.records import expense_from_record, expense_to_record
from ...ports import IdempotencyKey
from ..store_messages import IDEMPOTENCY_MISMATCH, IDEMPOTENCY_RETENTION
from .dynamodb_codec import idempotency_key, n, number, s, text
from .dynamodb_schema import PARTITION_KEY, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from .dynamodb_codec import ItemView

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Exact epoch microseconds (no float rounding), for comparisons inside conditions."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def record_put(
    table_name: str, expense: Expense, idempotency: IdempotencyKey
) -> TransactWriteItemTypeDef:
    """The Put of the key's record: the fingerprint and a snapshot of the first expense."""
    honoured_until = micros(expense.created_at + IDEMPOTENCY_RETENTION)
    return {
        "Put": {
            "TableName": table_name,
            "Item": {
                **idempotency_key(expense.user_id, idempotency.key),
                "fingerprint": s(idempotency.fingerprint),
                "snapshot": s(json.dumps(expense_to_record(expense))),
                "honoured_until": n(honoured_until),
                # Whole seconds, rounded up: TTL never removes a record still honoured.
                TTL_ATTRIBUTE: n(-(-honoured_until // 1_000_000)),
            },
            "ConditionExpression": "attribute_not_exists(#pk) OR #until < :now",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY, "#until": "honoured_until"},
            "ExpressionAttributeValues": {":now": n(micros(expense.created_at))},
        }
    }


def replayed(item: ItemView, expense: Expense, idempotency: IdempotencyKey) -> Expense | None:
    """The first expense made with this key; None when the record is past its time;
    Invalid when the key came with another request body."""
    if number(item, "honoured_until") < micros(expense.created_at):
        return None
    if text(item, "fingerprint") != idempotency.fingerprint:
        raise Invalid(FieldError("Idempotency-Key", IDEMPOTENCY_MISMATCH))
    return expense_from_record(json.loads(text(item, "snapshot")))
