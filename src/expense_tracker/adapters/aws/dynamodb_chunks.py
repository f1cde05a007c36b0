"""Writes of many expenses on DynamoDB, in chunks of one transaction each: the one planner
(used by add_many here and by the import ledger, dynamodb_imports), the chunk's aggregate
updates, and the removal of a chunk again.

add_many is all or nothing across several transactions. A TransactWriteItems holds at most
100 actions, so the expenses are cut into chunks whose puts plus the aggregate buckets they
touch fit in one transaction (expenses of the same month and category share their bucket
updates, so a chunk usually holds 90-odd expenses). The chunks
commit one after the other; if one fails (an id clash, or the table failing after botocore's
retries and ours), the chunks already committed are removed again, each by a transaction that
deletes its expenses and takes their amounts back out of the aggregates (compensation).

Limits, stated plainly: while an import runs, readers may see the chunks committed so far; and
if the compensation itself fails, or an imported expense was changed in the meantime, part of
the import stays: the StorageError raised then says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from ...domain.errors import Conflict, StorageError
from ...domain.expense import Expense
from ..store_messages import DUPLICATE_ID
from . import dynamodb_aggregates as aggregates
from .dynamodb_calls import MAX_TRANSACTION_ACTIONS, ConditionFailed, transact
from .dynamodb_codec import expense_key, n

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

PutNew = Callable[[Expense], "TransactWriteItemTypeDef"]


T = TypeVar("T")


def plan_chunks(
    items: Iterable[T],
    expense_of: Callable[[T], Expense],
    *,
    per_item: int = 1,
    fixed: int = 0,
) -> list[list[T]]:
    """Greedy: fill each transaction up to 100 actions: `per_item` for each item (a put, or a
    put and its duplicate key), one per aggregate bucket the chunk touches, `fixed` more (a
    chunk's tag)."""
    chunks: list[list[T]] = []
    current: list[T] = []
    buckets: set[tuple[str, aggregates.Bucket]] = set()
    for item in items:
        expense = expense_of(item)
        mine = {(expense.user_id, b) for b in aggregates.expense_deltas(expense, 1)}
        size = per_item * (len(current) + 1) + len(buckets | mine) + fixed
        if current and size > MAX_TRANSACTION_ACTIONS:
            chunks.append(current)
            current, buckets = [], set()
        current.append(item)
        buckets |= mine
    if current:
        chunks.append(current)
    return chunks


def _itself(expense: Expense) -> Expense:
    return expense


def aggregate_actions(
    table_name: str, expenses: list[Expense], sign: int
) -> list[TransactWriteItemTypeDef]:
    """The chunk's bucket updates, merged per user and bucket (one action per item)."""
    actions: list[TransactWriteItemTypeDef] = []
    for user_id in sorted({e.user_id for e in expenses}):
        deltas = aggregates.merge(
            aggregates.expense_deltas(e, sign) for e in expenses if e.user_id == user_id
        )
        actions.extend(aggregates.update_actions(table_name, user_id, deltas))
    return actions


def removal(table_name: str, expense: Expense) -> TransactWriteItemTypeDef:
    return {
        "Delete": {
            "TableName": table_name,
            "Key": expense_key(expense.user_id, expense.id),
            # Only as we wrote it: otherwise its aggregate share is no longer ours to take.
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":version": n(expense.version)},
        }
    }


def add_in_chunks(
    client: DynamoDBClient, table_name: str, expenses: list[Expense], put_new: PutNew
) -> None:
    committed: list[list[Expense]] = []
    for chunk in plan_chunks(expenses, _itself):
        actions = [put_new(e) for e in chunk] + aggregate_actions(table_name, chunk, 1)
        try:
            transact(client, actions, "add_many")
        except ConditionFailed as exc:
            _compensate(client, table_name, committed)
            raise Conflict(DUPLICATE_ID) from exc
        except StorageError:
            _compensate(client, table_name, committed)
            raise
        committed.append(chunk)


def _compensate(client: DynamoDBClient, table_name: str, committed: list[list[Expense]]) -> None:
    """Remove the chunks already committed, newest first."""
    for position, chunk in enumerate(reversed(committed)):
        actions = [removal(table_name, e) for e in chunk]
        actions += aggregate_actions(table_name, chunk, -1)
        try:
            transact(client, actions, "add_many (undo)")
        except (ConditionFailed, StorageError) as exc:
            left = sum(len(c) for c in committed[: len(committed) - position])
            raise StorageError(
                f"The import failed and {left} of its expenses could not be removed again"
            ) from exc
