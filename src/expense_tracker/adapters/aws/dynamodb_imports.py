"""The import ledger on the DynamoDB table (key scheme: dynamodb_schema).

Items, all under the user's partition:
- duplicate key: ``sk = IMPKEY#<key>`` with the job that stored it and the expense's id;
- chunk tag: ``sk = IMPJOB#<job>#<first key of the chunk>`` with the chunk's expense ids and
  keys, so a failed job's writes are found by one Query (never a Scan) and removed.

A batch's rows whose keys are new are cut into chunks (at most CHUNK_ROWS rows, and as many
aggregate buckets as fit one transaction). Each chunk is one small transaction, its tag (put
only if absent) and its aggregate updates, then its key items and expenses go in with
BatchWriteItem, from a few threads at once. That is idempotent: the expense ids are the job's
(the same row gets the same id on every attempt), a put's repeat changes nothing, and a rerun
that finds the chunk's tag knows its aggregates are counted already. Duplicates are found by
BatchGetItem (in parallel too): the batch's keys, then the ids that came with the file.

Limit: a job that crashes half-way through a chunk on its last attempt is discarded by the
expenses its tags list that exist; totals of the chunk's rows never written stay counted."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ...domain.errors import StorageError
from ...ports.imports import BatchResult, KeyedExpense
from .dynamodb_calls import (
    ATTEMPTS,
    BATCH_WRITE_MAX,
    ConditionFailed,
    backoff,
    batch_delete,
    batch_put,
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
CHUNK_ROWS = 400  # a tag lists its rows' ids and keys: ~40 KiB, far below the 400 KiB item cap
WRITERS = 8  # BatchWriteItem calls in flight at once (DynamoDB's latency, not our CPU)
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
    """One transaction per chunk: its aggregate buckets and its tag (at most 100 actions)."""
    chunks = plan_chunks(rows, lambda row: row.expense, per_item=0, fixed=1)
    return [c[i : i + CHUNK_ROWS] for c in chunks for i in range(0, len(c), CHUNK_ROWS)]


class DynamoImportLedger:
    # One BatchGetItem per 100 rows, a transaction and BatchWriteItem calls in parallel per
    # chunk: a slice overruns its budget by one batch (about a second) at most.
    batch_rows = 500

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add_batch(self, user_id: str, job_id: str, rows: list[KeyedExpense]) -> BatchResult:
        with ThreadPoolExecutor(WRITERS, thread_name_prefix="import-writer") as pool:
            keys = [key(user_id, KEY_PREFIX + r.key) for r in rows]
            owners = {
                text(item, SORT_KEY).removeprefix(KEY_PREFIX): text(item, "job")
                for item in self._get_all(pool, keys)
            }
            mine = {k for k, owner in owners.items() if owner == job_id}
            kept = [r for r in rows if owners.get(r.key, job_id) == job_id]
            # An id from the file that the user has already is a duplicate.
            unseen = [
                expense_key(user_id, r.expense.id)
                for r in kept
                if r.id_from_file and r.key not in mine
            ]
            taken = {text(item, "id") for item in self._get_all(pool, unseen)}
            kept = [r for r in kept if r.key in mine or r.expense.id not in taken]
            for chunk in plan(kept):
                self._write(pool, user_id, job_id, chunk, mine)
        return BatchResult(len(kept), len(rows) - len(kept))

    def _get_all(self, pool: ThreadPoolExecutor, keys: list[Item]) -> list[Item]:
        parts = [keys[i : i + BATCH_GET_MAX] for i in range(0, len(keys), BATCH_GET_MAX)]
        found = pool.map(lambda part: list(self._batch_get(part)), parts)
        return [item for items in found for item in items]

    def _write(
        self,
        pool: ThreadPoolExecutor,
        user_id: str,
        job_id: str,
        chunk: list[KeyedExpense],
        mine: set[str],
    ) -> None:
        tag = key(user_id, f"{JOB_PREFIX}{job_id}#{chunk[0].key}")
        tag["ids"] = {"SS": [r.expense.id for r in chunk]}
        tag["keys"] = {"SS": [r.key for r in chunk]}
        actions = [_put_new(self._table, tag)]
        actions += aggregate_actions(self._table, [r.expense for r in chunk], 1)
        try:
            transact(self._client, actions, "import")
        except ConditionFailed:  # an earlier attempt wrote the tag: its totals are counted
            chunk = [r for r in chunk if r.key not in mine]
        key_items = []
        for row in chunk:
            item = key(user_id, KEY_PREFIX + row.key)
            item.update({"job": s(job_id), "expense_id": s(row.expense.id)})
            key_items.append(item)
        # The keys first: an expense of this job found later always has its key (add_batch).
        self._put_all(pool, key_items)
        self._put_all(pool, [expense_to_item(r.expense) for r in chunk])

    def _put_all(self, pool: ThreadPoolExecutor, items: list[Item]) -> None:
        parts = [items[i : i + BATCH_WRITE_MAX] for i in range(0, len(items), BATCH_WRITE_MAX)]
        for done in [pool.submit(batch_put, self._client, self._table, p) for p in parts]:
            done.result()

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
