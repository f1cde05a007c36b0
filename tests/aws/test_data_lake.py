"""The data-lake decorator: every write also lands in the lake bucket as JSON Lines, partitioned
by year and month as the template's Glue table reads it (moto's S3)."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

from expense_tracker.adapters.aws.data_lake import DataLakeStore, lake_key
from expense_tracker.adapters.memory import MemoryExpenseStore
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.domain.records import expense_to_record
from tests.contract.factories import make_expense, make_receipt, new_user
from tests.support.aws_stack import AwsStack

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

pytestmark = pytest.mark.aws


@pytest.fixture(scope="module")
def lake(aws_stack: AwsStack) -> str:
    return aws_stack.new_bucket("lake")


@pytest.fixture
def inner() -> MemoryExpenseStore:
    return MemoryExpenseStore()


@pytest.fixture
def store(aws_stack: AwsStack, inner: MemoryExpenseStore, lake: str) -> DataLakeStore:
    return DataLakeStore(inner, aws_stack.s3, lake)


DAY = date(2026, 11, 24)  # make_expense's


def in_lake(
    s3: S3Client, bucket: str, user_id: str, expense_id: str, day: date = DAY
) -> dict[str, Any] | None:
    try:
        body = s3.get_object(Bucket=bucket, Key=lake_key(user_id, expense_id, day))["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    assert body.endswith(b"\n") and body.count(b"\n") == 1  # one JSON Lines record
    document: dict[str, Any] = json.loads(body)
    return document


def user_keys(s3: S3Client, bucket: str, user_id: str) -> list[str]:
    found = s3.list_objects_v2(Bucket=bucket, Prefix="expenses/").get("Contents", [])
    return sorted(item["Key"] for item in found if f"/{user_id}/" in item["Key"])


def test_an_added_expense_lands_in_its_months_partition(
    aws_stack: AwsStack, store: DataLakeStore, lake: str
) -> None:
    user = new_user()
    expense = store.add(make_expense(user, amount="12.50", description="Lunch"))
    assert user_keys(aws_stack.s3, lake, user) == [
        f"expenses/year=2026/month=11/{user}/{expense.id}.json"
    ]
    document = in_lake(aws_stack.s3, lake, user, expense.id)
    assert document == expense_to_record(expense)
    assert document["amount"] == "12.50"  # a decimal string, never a float


def test_a_change_replaces_the_lake_copy(
    aws_stack: AwsStack, store: DataLakeStore, lake: str
) -> None:
    user = new_user()
    first = store.add(make_expense(user))
    changed = dataclasses.replace(first, description="Dinner", version=2)
    store.replace(changed, expected_version=1)
    assert in_lake(aws_stack.s3, lake, user, first.id) == expense_to_record(changed)


def test_a_new_date_moves_the_copy_to_its_new_month(
    aws_stack: AwsStack, store: DataLakeStore, lake: str
) -> None:
    user = new_user()
    first = store.add(make_expense(user))
    moved = dataclasses.replace(first, date=date(2025, 2, 3), version=2)
    store.replace(moved, expected_version=1)
    assert user_keys(aws_stack.s3, lake, user) == [
        f"expenses/year=2025/month=02/{user}/{first.id}.json"
    ]


def test_the_receipts_storage_key_stays_out_of_the_lake(
    aws_stack: AwsStack, store: DataLakeStore, lake: str
) -> None:
    user = new_user()
    expense = store.add(make_expense(user, receipt=make_receipt("users/x/receipts/y/z")))
    document = in_lake(aws_stack.s3, lake, user, expense.id)
    assert document is not None
    assert document["receipt"]["content_type"] == "image/jpeg"
    assert "key" not in document["receipt"]


def test_deleting_removes_the_lake_copy(
    aws_stack: AwsStack, store: DataLakeStore, lake: str
) -> None:
    user = new_user()
    kept, doomed = store.add(make_expense(user)), store.add(make_expense(user))
    store.delete(user, doomed.id)
    assert user_keys(aws_stack.s3, lake, user) == [
        f"expenses/year=2026/month=11/{user}/{kept.id}.json"
    ]


def test_an_import_lands_whole_and_deleting_the_user_empties_only_their_objects(
    aws_stack: AwsStack, store: DataLakeStore, lake: str
) -> None:
    user, neighbour = new_user(), new_user()
    days = [date(2025, month, 1 + n) for n in range(3) for month in (1, 6, 12)]
    store.add_many([make_expense(user, day=day) for day in days])
    store.add(make_expense(neighbour))
    keys = user_keys(aws_stack.s3, lake, user)
    assert len(keys) == len(days)
    assert {k.split("/")[2] for k in keys} == {"month=01", "month=06", "month=12"}
    store.delete_user(user)
    assert user_keys(aws_stack.s3, lake, user) == []
    assert len(user_keys(aws_stack.s3, lake, neighbour)) == 1


def test_reads_are_the_wrapped_stores(store: DataLakeStore, inner: MemoryExpenseStore) -> None:
    user = new_user()
    added = store.add(make_expense(user, category="Travel"))
    assert store.get(user, added.id) == inner.get(user, added.id) == added
    assert [e.id for e in store.iterate(user, ExpenseFilter())] == [added.id]
    assert [c.name for c in store.categories(user)] == ["Travel"]
    assert store.list_page(user, ExpenseFilter(), 10, None).items == [added]
    assert store.summary(user, None, None) == inner.summary(user, None, None)


def test_a_failing_lake_never_fails_the_write(
    aws_stack: AwsStack, inner: MemoryExpenseStore, caplog: pytest.LogCaptureFixture
) -> None:
    store = DataLakeStore(inner, aws_stack.s3, "no-such-lake-bucket")
    user = new_user()
    with caplog.at_level(logging.WARNING, logger="expense_tracker.adapters.aws.data_lake"):
        added = store.add(make_expense(user))
        store.delete(user, added.id)
    assert inner.list_page(user, ExpenseFilter(), 10, None).items == []
    assert [r.getMessage() for r in caplog.records] == [
        "data lake put failed (NoSuchBucket)",
        "data lake delete failed (NoSuchBucket)",
    ]
