"""Profiles (the default currency) on the expenses' DynamoDB table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .dynamodb_calls import sdk_errors
from .dynamodb_codec import PROFILE_SK, key, s, text

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoProfiles:
    """The default currency per user: the item ``PROFILE`` in the user's partition."""

    def __init__(self, client: DynamoDBClient, table_name: str, default: str = "USD") -> None:
        self._client = client
        self._table = table_name
        self._default = default

    def default_currency(self, user_id: str) -> str:
        with sdk_errors("GetItem"):
            answer = self._client.get_item(
                TableName=self._table, Key=key(user_id, PROFILE_SK), ConsistentRead=True
            )
        item = answer.get("Item")
        return self._default if item is None else text(item, "default_currency")

    def set_default_currency(self, user_id: str, currency: str) -> None:
        with sdk_errors("UpdateItem"):
            self._client.update_item(
                TableName=self._table,
                Key=key(user_id, PROFILE_SK),
                UpdateExpression="SET #currency = :currency",
                ExpressionAttributeNames={"#currency": "default_currency"},
                ExpressionAttributeValues={":currency": s(currency)},
            )
