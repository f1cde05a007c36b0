"""Profiles (default and home currency, locale) on the expenses' DynamoDB table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.profile import DEFAULT_LOCALE, Profile, ProfileChanges
from .dynamodb_calls import sdk_errors
from .dynamodb_codec import PROFILE_SK, key, s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoProfiles:
    """The settings per user: the item ``PROFILE`` in the user's partition. An attribute never
    set reads as its default (the configured currency, no home currency, locale "en")."""

    def __init__(self, client: DynamoDBClient, table_name: str, default: str = "USD") -> None:
        self._client = client
        self._table = table_name
        self._default = default

    def default_currency(self, user_id: str) -> str:
        return self.profile(user_id).default_currency

    def set_default_currency(self, user_id: str, currency: str) -> None:
        self.update_profile(user_id, ProfileChanges(default_currency=currency))

    def profile(self, user_id: str) -> Profile:
        with sdk_errors("GetItem"):
            answer = self._client.get_item(
                TableName=self._table, Key=key(user_id, PROFILE_SK), ConsistentRead=True
            )
        item = answer.get("Item") or {}

        def read(name: str) -> str | None:
            value = item.get(name)
            return value.get("S") if value else None

        return Profile(
            read("default_currency") or self._default,
            read("home_currency"),
            read("locale") or DEFAULT_LOCALE,
        )

    def update_profile(self, user_id: str, changes: ProfileChanges) -> Profile:
        given = {k: v for k, v in vars(changes).items() if v is not None}
        if given:
            # One UpdateItem with the given attributes only: concurrent changes of other
            # fields are kept.
            with sdk_errors("UpdateItem"):
                self._client.update_item(
                    TableName=self._table,
                    Key=key(user_id, PROFILE_SK),
                    UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in given),
                    ExpressionAttributeNames={f"#{k}": k for k in given},
                    ExpressionAttributeValues={f":{k}": s(v) for k, v in given.items()},
                )
        return self.profile(user_id)
