"""The plans port on the expenses' DynamoDB table.

A document is the item ``pk = USER#<sub>, sk = PLAN#<kind>#<id>`` with its JSON body and version;
who has documents of a kind is kept in ``pk = PLANOWNERS#<kind>, sk = <sub>`` (written in the
same transaction as the first document), so the daily scheduler finds its users by a Query,
never a Scan."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ...domain.errors import NotFound, PreconditionFailed
from ...ports.plans import PlanRecord
from ..memory_plans import CHANGED, NOT_FOUND
from .dynamodb_calls import ConditionFailed, query_pages, sdk_errors, transact
from .dynamodb_codec import key, n, number, s, text, user_pk
from .dynamodb_schema import PARTITION_KEY, SORT_KEY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

    from .dynamodb_codec import Item, ItemView

PLAN_PREFIX = "PLAN#"
OWNERS_PREFIX = "PLANOWNERS#"
TOP = "\U0010ffff"  # above every character in UTF-8 byte order: the end of a prefix range


def plan_sort_key(kind: str, record_id: str = "") -> str:
    return f"{PLAN_PREFIX}{kind}#{record_id}"


def _item(record: PlanRecord) -> Item:
    return {
        **key(record.user_id, plan_sort_key(record.kind, record.id)),
        "version": n(record.version),
        "body": s(json.dumps(dict(record.body))),
    }


def _record(user_id: str, kind: str, item: ItemView) -> PlanRecord:
    record_id = text(item, SORT_KEY).removeprefix(plan_sort_key(kind))
    return PlanRecord(
        user_id, kind, record_id, json.loads(text(item, "body")), number(item, "version")
    )


class DynamoPlans:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def create(self, records: list[PlanRecord]) -> bool:
        actions: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _item(r),
                    "ConditionExpression": "attribute_not_exists(#pk)",
                    "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
                }
            }
            for r in records
        ]
        owners = {(r.kind, r.user_id) for r in records}
        actions += [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {PARTITION_KEY: s(OWNERS_PREFIX + kind), SORT_KEY: s(user_id)},
                }
            }
            for kind, user_id in sorted(owners)
        ]
        try:
            transact(self._client, actions, "create")
        except ConditionFailed:
            return False
        return True

    def get(self, user_id: str, kind: str, record_id: str) -> PlanRecord:
        with sdk_errors("GetItem"):
            answer = self._client.get_item(
                TableName=self._table,
                Key=key(user_id, plan_sort_key(kind, record_id)),
                ConsistentRead=True,
            )
        item = answer.get("Item")
        if item is None:
            raise NotFound(NOT_FOUND)
        return _record(user_id, kind, item)

    def records(
        self, user_id: str, kind: str, limit: int, after: str | None = None
    ) -> list[PlanRecord]:
        items = self._range(user_pk(user_id), plan_sort_key(kind), after, limit)
        return [_record(user_id, kind, item) for item in items]

    def _range(self, pk: str, prefix: str, after: str | None, limit: int) -> list[Item]:
        """Up to `limit` items of the partition whose sort key is prefix + something > after."""
        condition = "#pk = :pk AND begins_with(#sk, :prefix)"
        values: dict[str, AttributeValueTypeDef] = {":pk": s(pk), ":prefix": s(prefix or "")}
        if after is not None:  # inclusive from `after`; its own item is skipped below
            condition = "#pk = :pk AND #sk BETWEEN :low AND :high"
            values = {":pk": s(pk), ":low": s(prefix + after), ":high": s(prefix + TOP)}
        elif not prefix:
            condition, values = "#pk = :pk", {":pk": s(pk)}
        names = {"#pk": PARTITION_KEY, **({"#sk": SORT_KEY} if "#sk" in condition else {})}
        found: list[Item] = []
        for page in query_pages(
            self._client,
            TableName=self._table,
            ConsistentRead=True,
            KeyConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            Limit=min(limit + 1, 1000),
        ):
            skip = prefix + after if after is not None else None
            found.extend(item for item in page if text(item, SORT_KEY) != skip)
            if len(found) >= limit:
                break
        return found[:limit]

    def replace(self, record: PlanRecord, expected_version: int) -> PlanRecord:
        action: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": _item(record),
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":expected": n(expected_version)},
            }
        }
        try:
            transact(self._client, [action], "replace")
        except ConditionFailed as failed:
            self.get(record.user_id, record.kind, record.id)  # NotFound when it is gone
            raise PreconditionFailed(CHANGED) from failed
        return record

    def delete(self, user_id: str, kind: str, record_id: str) -> None:
        with sdk_errors("DeleteItem"):
            answer = self._client.delete_item(
                TableName=self._table,
                Key=key(user_id, plan_sort_key(kind, record_id)),
                ReturnValues="ALL_OLD",
            )
        if "Attributes" not in answer:
            raise NotFound(NOT_FOUND)

    def owners(self, kind: str, limit: int, after: str | None = None) -> list[str]:
        items = self._range(OWNERS_PREFIX + kind, "", after, limit)
        return [text(item, SORT_KEY) for item in items]
