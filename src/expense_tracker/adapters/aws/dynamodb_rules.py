"""Categorisation rules on the DynamoDB table: ``sk = RULE#<id>`` under the user's partition,
so a user's rules are one Query in id (creation) order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain.errors import NotFound, PreconditionFailed
from ...domain.imports import Rule
from ...ports.imports import RulePage
from .dynamodb_calls import query_pages, sdk_errors
from .dynamodb_codec import key, n, number, s, text, user_pk
from .dynamodb_schema import PARTITION_KEY, SORT_KEY
from .errors import error_code

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from .dynamodb_codec import Item, ItemView

RULE_PREFIX = "RULE#"
RULES_END = "RULE$"  # "$" sorts right after "#": above every rule's key
_AFTER = "!"  # sorts below every id character: "RULE#<id>!" is just above "RULE#<id>"
_NOT_FOUND = "No such rule"
_FAILED = "ConditionalCheckFailedException"


def _item(rule: Rule) -> Item:
    item = key(rule.user_id, RULE_PREFIX + rule.id)
    item.update(
        {"contains": s(rule.contains), "category": s(rule.category), "version": n(rule.version)}
    )
    return item


def _rule(user_id: str, item: ItemView) -> Rule:
    return Rule(
        id=text(item, SORT_KEY).removeprefix(RULE_PREFIX),
        user_id=user_id,
        contains=text(item, "contains"),
        category=text(item, "category"),
        version=number(item, "version"),
    )


class DynamoRuleStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _query(self, user_id: str, low: str, limit: int | None) -> list[Rule]:
        kwargs = {"Limit": limit} if limit else {}
        found: list[Rule] = []
        for page in query_pages(
            self._client,
            TableName=self._table,
            KeyConditionExpression="#pk = :pk AND #sk BETWEEN :low AND :high",
            ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY},
            ExpressionAttributeValues={
                ":pk": s(user_pk(user_id)),
                ":low": s(low),
                ":high": s(RULES_END),
            },
            ConsistentRead=True,
            **kwargs,
        ):
            found += [_rule(user_id, item) for item in page]
            if limit and len(found) >= limit:
                return found[:limit]
        return found

    def add(self, rule: Rule) -> Rule:
        with sdk_errors("PutItem"):
            self._client.put_item(TableName=self._table, Item=_item(rule))
        return rule

    def all(self, user_id: str) -> list[Rule]:
        return self._query(user_id, RULE_PREFIX, None)

    def list_page(self, user_id: str, limit: int, after: str | None) -> RulePage:
        low = RULE_PREFIX + after + _AFTER if after else RULE_PREFIX
        rest = self._query(user_id, low, limit + 1)
        items = rest[:limit]
        return RulePage(items, items[-1].id if len(rest) > limit else None)

    def get(self, user_id: str, rule_id: str) -> Rule:
        with sdk_errors("GetItem"):
            item = self._client.get_item(
                TableName=self._table, Key=key(user_id, RULE_PREFIX + rule_id), ConsistentRead=True
            ).get("Item")
        if item is None:
            raise NotFound(_NOT_FOUND)
        return _rule(user_id, item)

    def replace(self, rule: Rule, expected_version: int) -> Rule:
        try:
            with sdk_errors("PutItem"):
                self._client.put_item(
                    TableName=self._table,
                    Item=_item(rule),
                    ConditionExpression="#version = :version",
                    ExpressionAttributeNames={"#version": "version"},
                    ExpressionAttributeValues={":version": n(expected_version)},
                )
        except Exception as exc:
            if not _condition_failed(exc):
                raise
            self.get(rule.user_id, rule.id)  # NotFound when gone
            raise PreconditionFailed("The rule was changed by someone else") from exc
        return rule

    def delete(self, user_id: str, rule_id: str) -> None:
        try:
            with sdk_errors("DeleteItem"):
                self._client.delete_item(
                    TableName=self._table,
                    Key=key(user_id, RULE_PREFIX + rule_id),
                    ConditionExpression="attribute_exists(#pk)",
                    ExpressionAttributeNames={"#pk": PARTITION_KEY},
                )
        except Exception as exc:
            if _condition_failed(exc):
                raise NotFound(_NOT_FOUND) from exc
            raise


def _condition_failed(exc: Exception) -> bool:
    cause = exc.__cause__
    return isinstance(cause, ClientError) and error_code(cause) == _FAILED
