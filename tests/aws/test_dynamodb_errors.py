"""DynamoDB failures: contention is retried, failed conditions are told apart, anything else
leaves the adapter as a StorageError that names the error code but not the SDK's text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from expense_tracker.adapters.aws import dynamodb_calls
from expense_tracker.adapters.aws.dynamodb_calls import ConditionFailed, transact
from expense_tracker.adapters.aws.dynamodb_store import DynamoExpenseStore
from expense_tracker.domain.errors import StorageError
from expense_tracker.domain.expense import ExpenseFilter
from tests.contract.factories import make_expense, new_user

ACTIONS: list[Any] = [
    {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "a"}}, "ConditionExpression": "x"}},
    {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "b"}}, "ConditionExpression": "y"}},
]


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Stubber]]:
    monkeypatch.setattr(dynamodb_calls, "backoff", lambda _attempt: None)
    client = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        yield client, stubber


def _cancelled(stubber: Stubber, *codes: str) -> None:
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        service_message="secret internals",
        modeled_fields={"CancellationReasons": [{"Code": c} for c in codes]},
    )


def test_transaction_conflicts_are_retried_until_it_commits(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    _cancelled(stubber, "None", "TransactionConflict")
    _cancelled(stubber, "ThrottlingError", "None")
    stubber.add_response("transact_write_items", {})

    transact(client, ACTIONS, "test")

    stubber.assert_no_pending_responses()


def test_failed_condition_names_its_action(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    _cancelled(stubber, "None", "ConditionalCheckFailed")

    with pytest.raises(ConditionFailed) as caught:
        transact(client, ACTIONS, "test")

    assert caught.value.failed == {1}


def test_endless_contention_becomes_a_storage_error(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    for _ in range(dynamodb_calls.ATTEMPTS):
        _cancelled(stubber, "TransactionConflict", "None")

    with pytest.raises(StorageError):
        transact(client, ACTIONS, "test")


def test_sdk_errors_leave_as_storage_errors_without_their_text(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_client_error(
        "transact_write_items", service_error_code="ValidationException", service_message="secret"
    )

    with pytest.raises(StorageError) as caught:
        transact(client, ACTIONS, "test")

    assert "ValidationException" in str(caught.value)
    assert "secret" not in str(caught.value)


@pytest.mark.aws
def test_a_missing_table_is_a_storage_error(dynamodb_client: Any) -> None:
    store = DynamoExpenseStore(dynamodb_client, "no-such-table")
    user = new_user()

    with pytest.raises(StorageError, match="ResourceNotFoundException"):
        store.get(user, "x")
    with pytest.raises(StorageError):
        store.add(make_expense(user))
    with pytest.raises(StorageError):
        store.list_page(user, ExpenseFilter(), 10, None)
