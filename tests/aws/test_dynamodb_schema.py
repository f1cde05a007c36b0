"""The table the constants describe is one DynamoDB accepts, on demand, with the date index."""

from __future__ import annotations

from typing import Any

import pytest

from expense_tracker.adapters.aws import dynamodb_schema as schema

pytestmark = pytest.mark.aws


def test_created_table_matches_the_schema_constants(
    dynamodb_client: Any, dynamodb_table: str
) -> None:
    table = dynamodb_client.describe_table(TableName=dynamodb_table)["Table"]

    assert table["KeySchema"] == schema.KEY_SCHEMA
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        schema.ATTRIBUTE_DEFINITIONS, key=str
    )
    (index,) = table["LocalSecondaryIndexes"]
    assert index["IndexName"] == schema.DATE_INDEX
    assert index["KeySchema"] == schema.LOCAL_SECONDARY_INDEXES[0]["KeySchema"]
    assert index["Projection"] == {"ProjectionType": "ALL"}
    assert "GlobalSecondaryIndexes" not in table
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
