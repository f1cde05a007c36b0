"""DynamoDB calls with the retries and error wrapping every store operation needs.

- ``transact``: TransactWriteItems. A cancellation caused only by contention (another
  transaction on the same item, throttling) is retried with jittered backoff: the conditions in
  the transaction make a retry safe. A failed condition raises ``ConditionFailed`` naming the
  actions whose condition failed, for the caller to turn into the port's domain error.
- ``query_pages``: a Query followed through every ``LastEvaluatedKey`` (a page stops at 1 MB).
- ``batch_delete``, ``batch_put``: BatchWriteItem in groups of 25, retrying
  ``UnprocessedItems`` until done.
Any other SDK failure becomes ``StorageError`` with the error code, never the SDK's text.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import StorageError
from .errors import storage_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, WriteRequestTypeDef

    from .dynamodb_codec import Item

MAX_TRANSACTION_ACTIONS = 100  # DynamoDB's limit per TransactWriteItems
BATCH_WRITE_MAX = 25  # DynamoDB's limit per BatchWriteItem
ATTEMPTS = 10
_CONTENTION = {"None", "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}


class ConditionFailed(Exception):
    """A transaction was cancelled because the condition of these actions failed."""

    def __init__(self, failed: set[int]) -> None:
        super().__init__(f"condition failed on actions {sorted(failed)}")
        self.failed = failed


def sdk_errors(operation: str) -> AbstractContextManager[None]:
    return storage_errors("DynamoDB", operation)


def backoff(attempt: int) -> None:
    """Full jitter: spreads retrying writers apart so they stop colliding."""
    time.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))


def _raise_unless_contention(exc: ClientError, operation: str) -> None:
    """Return when only contention cancelled the transaction; raise otherwise."""
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        raise StorageError(
            f"DynamoDB {operation} failed ({exc.response.get('Error', {}).get('Code')})"
        ) from exc
    reasons: list[dict[str, Any]] = exc.response.get("CancellationReasons", [])  # type: ignore[assignment]
    codes = [str(r.get("Code", "None")) for r in reasons]
    failed = {i for i, code in enumerate(codes) if code == "ConditionalCheckFailed"}
    if failed:
        raise ConditionFailed(failed) from exc
    if not set(codes) <= _CONTENTION:
        raise StorageError(f"DynamoDB {operation} cancelled ({', '.join(set(codes))})") from exc


def transact(
    client: DynamoDBClient, actions: Sequence[TransactWriteItemTypeDef], operation: str
) -> None:
    if not 0 < len(actions) <= MAX_TRANSACTION_ACTIONS:
        raise StorageError(f"DynamoDB {operation}: {len(actions)} actions in one transaction")
    for attempt in range(ATTEMPTS):
        try:
            # The token makes botocore's own resends of this call idempotent: a commit whose
            # answer was lost is not run (and failed on its own conditions) a second time.
            client.transact_write_items(
                TransactItems=list(actions), ClientRequestToken=str(uuid.uuid4())
            )
            return
        except ClientError as exc:
            _raise_unless_contention(exc, operation)
        except BotoCoreError as exc:
            raise StorageError(f"DynamoDB {operation} failed ({type(exc).__name__})") from exc
        backoff(attempt)
    raise StorageError(f"DynamoDB {operation} failed (contention persisted)")


def query_pages(client: DynamoDBClient, **kwargs: Any) -> Iterator[list[Item]]:
    """Every page of a Query, one request at a time; the caller may stop early."""
    start: Item | None = None
    while True:
        with sdk_errors("Query"):
            if start is None:
                page = client.query(**kwargs)
            else:
                page = client.query(**kwargs, ExclusiveStartKey=start)
        yield page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if start is None:
            return


def batch_delete(client: DynamoDBClient, table_name: str, keys: Sequence[Item]) -> None:
    for first in range(0, len(keys), BATCH_WRITE_MAX):
        requests: list[WriteRequestTypeDef] = [
            {"DeleteRequest": {"Key": k}} for k in keys[first : first + BATCH_WRITE_MAX]
        ]
        _batch_write_all(client, table_name, requests)


def batch_put(client: DynamoDBClient, table_name: str, items: Sequence[Item]) -> None:
    for first in range(0, len(items), BATCH_WRITE_MAX):
        requests: list[WriteRequestTypeDef] = [
            {"PutRequest": {"Item": i}} for i in items[first : first + BATCH_WRITE_MAX]
        ]
        _batch_write_all(client, table_name, requests)


def _batch_write_all(
    client: DynamoDBClient, table_name: str, requests: list[WriteRequestTypeDef]
) -> None:
    for attempt in range(ATTEMPTS):
        with sdk_errors("BatchWriteItem"):
            answer = client.batch_write_item(RequestItems={table_name: requests})
        left = answer.get("UnprocessedItems", {}).get(table_name, [])
        requests = cast("list[WriteRequestTypeDef]", left)  # output and input shapes agree
        if not requests:
            return
        backoff(attempt)
    raise StorageError("DynamoDB BatchWriteItem failed (items left unprocessed)")
