"""The IAM-enforcing tier for the daily rates function (RatesFunction): it fetches the ECB's
file and writes the rates partition with credentials whose policy is exactly the template's
statements for RatesFunctionRole, and a statement taken away makes the run store nothing.

Its only AWS calls are DynamoDB's, judged before they are sent as tests/support/iam_enforced.py
describes, including the role's `dynamodb:LeadingKeys` condition (the rates partition only).
The fetch reads a recorded file through a file: URL, never the network."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from expense_tracker.adapters.aws import wiring
from expense_tracker.adapters.aws.dynamodb_rates import DynamoRatesTable
from expense_tracker.adapters.aws.dynamodb_schema import create_table
from expense_tracker.entrypoints import lambda_handler
from tests.aws.iam_deployment import World, enforced_world, without
from tests.infra import cfn
from tests.support import iam_enforced as iam
from tests.support.aws_stack import REGION, AwsStack
from tests.support.dynamodb_local import local_client, unique_table_name

FIXTURE = Path(__file__).parents[1] / "data" / "ecb" / "eurofxref-hist-90d.xml"
ROLE = "RatesFunctionRole"
RECORDED_DAYS = [date(2026, 10, 28), date(2026, 10, 29), date(2026, 10, 30)]


def rates_statements(table: str, arns: dict[str, str] | None = None) -> list[Any]:
    """The template's statements for the rates function, its table being `table`."""
    known = {"RatesFunctionLogGroup.Arn": "arn:aws:logs:us-east-1:1:log-group:rates"}
    return iam.role_statements(
        cfn.source(), ROLE, {**known, **(arns or {}), "Table.Arn": iam.table_arn(table)}
    )


@pytest.fixture(scope="module")
def world(aws_stack: AwsStack) -> Iterator[World]:
    with enforced_world(aws_stack) as found:
        yield found


@pytest.fixture
def rates_table(aws_stack: AwsStack) -> str:
    """A table of its own: the rates partition is shared by every user of a table."""
    name = unique_table_name("rates-iam")
    create_table(local_client(aws_stack.dynamodb_endpoint), name)
    return name


def run_rates_function(
    world: World, monkeypatch: pytest.MonkeyPatch, table: str, statements: list[Any]
) -> tuple[dict[str, Any], iam.JudgedPolicy]:
    """The scheduled handler, as Lambda runs it: its settings and its role's keys in the
    environment, every DynamoDB call it makes judged against `statements`."""
    keys, policy = world.user_with(statements), iam.JudgedPolicy(statements)
    for name, value in {
        "EXPENSE_TRACKER_TABLE_NAME": table,
        "EXPENSE_TRACKER_REGION": REGION,
        "EXPENSE_TRACKER_DYNAMODB_ENDPOINT_URL": world.stack.dynamodb_endpoint,
        "EXPENSE_TRACKER_RATES_DAILY_URL": FIXTURE.as_uri(),
        "AWS_ACCESS_KEY_ID": keys.access_key,
        "AWS_SECRET_ACCESS_KEY": keys.secret_key,
    }.items():
        monkeypatch.setenv(name, value)
    made = wiring._client

    def judged(*args: Any, **kwargs: Any) -> Any:
        client = made(*args, **kwargs)
        client.meta.events.register("before-parameter-build.dynamodb", policy)
        return client

    monkeypatch.setattr(wiring, "_client", judged)
    return lambda_handler.refresh_rates({}, None), policy


def stored_days(world: World, table: str) -> list[date]:
    return sorted(DynamoRatesTable(local_client(world.stack.dynamodb_endpoint), table)
                  .days_after(date(2026, 1, 1)))  # fmt: skip


@pytest.mark.aws
@pytest.mark.slow
def test_the_rates_function_stores_the_days_with_only_the_templates_permissions(
    world: World, rates_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = rates_statements(rates_table, world.arns)
    answer, policy = run_rates_function(world, monkeypatch, rates_table, statements)
    assert answer == {"days": 3}
    assert policy.refused == []
    assert stored_days(world, rates_table) == RECORDED_DAYS


@pytest.mark.aws
@pytest.mark.slow
def test_the_rates_function_without_batch_write_stores_nothing(
    world: World, rates_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = without(rates_statements(rates_table, world.arns), "dynamodb:BatchWriteItem")
    answer, policy = run_rates_function(world, monkeypatch, rates_table, statements)
    assert answer == {"days": 0}  # logged; the next day's run tries again
    assert policy.refused == [("dynamodb:BatchWriteItem", iam.table_arn(rates_table))]
    assert stored_days(world, rates_table) == []


def test_the_rates_role_may_write_only_the_rates_partition() -> None:
    policy = iam.JudgedPolicy(rates_statements("t"))
    table = iam.table_arn("t")
    assert policy.allows("dynamodb:BatchWriteItem", table, ["RATES#ECB", "RATES#ECB"])
    assert policy.allows("dynamodb:PutItem", table, ["RATES#ECB"])
    assert not policy.allows("dynamodb:PutItem", table, ["USER#someone"])
    assert not policy.allows("dynamodb:BatchWriteItem", table, ["RATES#ECB", "USER#someone"])
    assert not policy.allows("dynamodb:Query", table)  # it reads nothing
    assert not policy.allows("dynamodb:PutItem", iam.table_arn("other"), ["RATES#ECB"])


def test_a_batch_writes_leading_keys_are_every_items_partition() -> None:
    params = {"RequestItems": {"t": [
        {"PutRequest": {"Item": {"pk": {"S": "RATES#ECB"}, "sk": {"S": "DAY#1"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "USER#a"}, "sk": {"S": "X"}}}},
    ]}}  # fmt: skip
    assert iam.dynamodb_requests("BatchWriteItem", params) == [
        ("dynamodb:BatchWriteItem", iam.table_arn("t"), ["RATES#ECB", "USER#a"])
    ]
