"""The import ledger on the DynamoDB table (key scheme: dynamodb_schema).

Items, all under the user's partition:
- duplicate key: ``sk = IMPKEY#<key>`` with the job that stored it and the expense's id;
- chunk tag: ``sk = IMPJOB#<job>#<first key of the chunk>`` with the chunk's expense ids and
  keys, so a failed job's writes are found by one Query (never a Scan) and removed.

A chunk is one TransactWriteItems: for each row a conditional put of its key and of its
expense (both ``attribute_not_exists``), the aggregate updates, and the chunk's tag. A failed
condition names the rows whose key or expense id exists already: they are duplicates, and the
chunk is written again without them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ...domain.errors import StorageError
from ...ports.imports import BatchResult, KeyedExpense
from .dynamodb_calls import (
    ATTEMPTS,
    ConditionFailed,
    backoff,
    batch_delete,
    query_pages,
    sdk_errors,
    transact,
)
from .dynamodb_chunks import aggregate_actions, plan_chunks, removal
from .dynamodb_codec import (
    expense_from_item,
    expense_key,
    expense_to_item,
    key,
    s,
    text,
    user_pk,
)
from .dynamodb_schema import PARTITION_KEY, SORT_KEY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from .dynamodb_codec import Item

KEY_PREFIX = "IMPKEY#"
JOB_PREFIX = "IMPJOB#"
BATCH_GET_MAX = 100  # DynamoDB's limit per BatchGetItem
_NEW = "attribute_not_exists(#pk)"


def _put_new(table: str, item: Item) -> TransactWriteItemTypeDef:
    return {
        "Put": {
            "TableName": table,
            "Item": item,
            "ConditionExpression": _NEW,
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
        }
    }


def plan(rows: Sequence[KeyedExpense]) -> list[list[KeyedExpense]]:
    """Two actions per row (its key, its expense), one per aggregate bucket, one tag."""
    return plan_chunks(rows, lambda row: row.expense, per_item=2, fixed=1)


class DynamoImportLedger:
    # One BatchGetItem and ~3 transactions: a slice overruns its budget by one batch at most.
    batch_rows = 100

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add_batch(self, user_id: str, job_id: str, rows: list[KeyedExpense]) -> BatchResult:
        keys = [key(user_id, KEY_PREFIX + r.key) for r in rows]
        owners = {
            text(item, SORT_KEY).removeprefix(KEY_PREFIX): text(item, "job")
            for item in self._batch_get(keys)
        }
        added = sum(1 for r in rows if owners.get(r.key) == job_id)
        fresh = [r for r in rows if r.key not in owners]
        for chunk in plan(fresh):
            added += self._write(user_id, job_id, chunk)
        return BatchResult(added, len(rows) - added)

    def _write(self, user_id: str, job_id: str, chunk: list[KeyedExpense]) -> int:
        """Commit the chunk's new rows; how many were new."""
        pending = list(chunk)
        for _attempt in range(ATTEMPTS):
            if not pending:
                return 0
            try:
                transact(self._client, self._actions(user_id, job_id, pending), "import")
                return len(pending)
            except ConditionFailed as failed:
                taken = {index // 2 for index in failed.failed if index < 2 * len(pending)}
                pending = [row for i, row in enumerate(pending) if i not in taken]
        raise StorageError("DynamoDB import failed (conditions kept failing)")

    def _actions(
        self, user_id: str, job_id: str, rows: list[KeyedExpense]
    ) -> list[TransactWriteItemTypeDef]:
        actions: list[TransactWriteItemTypeDef] = []
        for row in rows:
            item = key(user_id, KEY_PREFIX + row.key)
            item.update({"job": s(job_id), "expense_id": s(row.expense.id)})
            actions += [
                _put_new(self._table, item),
                _put_new(self._table, expense_to_item(row.expense)),
            ]
        actions += aggregate_actions(self._table, [r.expense for r in rows], 1)
        tag = key(user_id, f"{JOB_PREFIX}{job_id}#{rows[0].key}")
        tag["ids"] = {"SS": [r.expense.id for r in rows]}
        tag["keys"] = {"SS": [r.key for r in rows]}
        actions.append({"Put": {"TableName": self._table, "Item": tag}})
        return actions

    def _batch_get(self, keys: Sequence[Item]) -> Iterator[Item]:
        for first in range(0, len(keys), BATCH_GET_MAX):
            wanted: list[Item] = list(keys[first : first + BATCH_GET_MAX])
            for attempt in range(ATTEMPTS):
                with sdk_errors("BatchGetItem"):
                    answer = self._client.batch_get_item(
                        RequestItems={self._table: {"Keys": wanted, "ConsistentRead": True}}
                    )
                yield from answer.get("Responses", {}).get(self._table, [])
                unprocessed = answer.get("UnprocessedKeys", {}).get(self._table)
                wanted = list(unprocessed["Keys"]) if unprocessed else []
                if not wanted:
                    break
                backoff(attempt)
            else:
                raise StorageError("DynamoDB BatchGetItem failed (keys left unprocessed)")

    def discard(self, user_id: str, job_id: str) -> int:
        removed = 0
        tags = query_pages(
            self._client,
            TableName=self._table,
            KeyConditionExpression="#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY},
            ExpressionAttributeValues={
                ":pk": s(user_pk(user_id)),
                ":prefix": s(f"{JOB_PREFIX}{job_id}#"),
            },
            ConsistentRead=True,
        )
        for page in tags:
            for tag in page:
                removed += self._undo(user_id, tag)
        return removed

    def _undo(self, user_id: str, tag: Item) -> int:
        """Remove one chunk: its expenses (as they are now, with their aggregate shares),
        then its keys, then the tag, so a crash half-way can be undone again."""
        ids = list(tag.get("ids", {}).get("SS", []))
        expenses = [
            expense_from_item(item)
            for item in self._batch_get([expense_key(user_id, i) for i in ids])
        ]
        for part in plan_chunks(expenses, lambda expense: expense):
            actions: list[TransactWriteItemTypeDef] = [removal(self._table, e) for e in part]
            actions += aggregate_actions(self._table, part, -1)
            transact(self._client, actions, "import (undo)")
        keys = [key(user_id, KEY_PREFIX + k) for k in tag.get("keys", {}).get("SS", [])]
        batch_delete(
            self._client,
            self._table,
            [*keys, {PARTITION_KEY: tag[PARTITION_KEY], SORT_KEY: tag[SORT_KEY]}],
        )
        return len(expenses)
