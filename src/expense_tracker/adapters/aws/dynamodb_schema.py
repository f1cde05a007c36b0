"""The one DynamoDB table of the AWS backend: its keys, index and TTL, as plain constants.

infra/template.yaml must declare the same table; tests/infra compares it with these constants.

Every item of a user lives under one partition key, ``pk = USER#<sub>``:

- expense: ``sk = EXP#<id>``, ``date_id = <YYYY-MM-DD>#<id>`` (the index sort key);
- idempotency record: ``sk = IDEM#<sha256 of the client's key>``, TTL attribute ``expires_at``;
- monthly aggregate (month x currency x category): ``sk = AGG#M#<YYYY-MM>#<CUR>#<category>``;
- daily aggregate (day x currency x category): ``sk = AGG#D#<YYYY-MM-DD>#<CUR>#<category>``;
- profile (default currency): ``sk = PROFILE``.

Why an LSI rather than an id-pointer item: get/patch/delete by id are single-key operations on
the base table (one GetItem, one conditional write), and listing a date range is a strongly
consistent Query on the local secondary index ``by_date``, whose sort key ``date_id`` sorts as
(date, id). Only expenses carry ``date_id``, so the index is sparse: aggregates, idempotency
records and the profile never show up in a listing. A date change rewrites one attribute of one
item; DynamoDB moves it in the index atomically with the write. The price of an LSI is the
10 GB limit per item collection, i.e. per user: some ten million expenses.

The daily aggregates let a summary over any [from, to] read running totals only: whole months
from the monthly items, the partial months at either end from the daily ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTITION_KEY: Final = "pk"
SORT_KEY: Final = "sk"
DATE_INDEX: Final = "by_date"
DATE_INDEX_SORT_KEY: Final = "date_id"
TTL_ATTRIBUTE: Final = "expires_at"  # epoch seconds; idempotency and scan job records

ATTRIBUTE_DEFINITIONS: Final[list[dict[str, str]]] = [
    {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
    {"AttributeName": SORT_KEY, "AttributeType": "S"},
    {"AttributeName": DATE_INDEX_SORT_KEY, "AttributeType": "S"},
]

KEY_SCHEMA: Final[list[dict[str, str]]] = [
    {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
    {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
]

LOCAL_SECONDARY_INDEXES: Final[list[dict[str, Any]]] = [
    {
        "IndexName": DATE_INDEX,
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": DATE_INDEX_SORT_KEY, "KeyType": "RANGE"},
        ],
        # ALL: a listing returns whole expenses without a second read per item.
        "Projection": {"ProjectionType": "ALL"},
    }
]

GLOBAL_SECONDARY_INDEXES: Final[list[dict[str, Any]]] = []  # none: every access is per user

BILLING_MODE: Final = "PAY_PER_REQUEST"  # on-demand


def create_table_kwargs(table_name: str) -> dict[str, Any]:
    """Arguments for ``client.create_table(**...)``; the TTL is enabled by a separate call
    (``update_time_to_live``), see ``ttl_kwargs``."""
    return {
        "TableName": table_name,
        "AttributeDefinitions": [dict(a) for a in ATTRIBUTE_DEFINITIONS],
        "KeySchema": [dict(k) for k in KEY_SCHEMA],
        "LocalSecondaryIndexes": [dict(i) for i in LOCAL_SECONDARY_INDEXES],
        "BillingMode": BILLING_MODE,
    }


def ttl_kwargs(table_name: str) -> dict[str, Any]:
    """Arguments for ``client.update_time_to_live(**...)``."""
    return {
        "TableName": table_name,
        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    }


def create_table(client: DynamoDBClient, table_name: str) -> None:
    """Create the table, wait until it is active and enable the TTL (tests, first deploys
    without SAM)."""
    client.create_table(**create_table_kwargs(table_name))
    client.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    client.update_time_to_live(**ttl_kwargs(table_name))
