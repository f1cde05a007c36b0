"""DynamoDB writes: one transaction per write, idempotency records with a TTL, date changes that
move the item, imports that undo themselves, whole users deleted item by item."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest

from expense_tracker.adapters.aws.dynamodb_codec import idempotency_key
from expense_tracker.adapters.aws.dynamodb_schema import TTL_ATTRIBUTE
from expense_tracker.adapters.aws.dynamodb_store import DynamoExpenseStore, DynamoProfiles
from expense_tracker.domain.errors import Conflict
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.ports import IdempotencyKey
from tests.contract.factories import ids, make_expense, make_receipt, new_user
from tests.support.dynamodb_local import RecordingClient

pytestmark = pytest.mark.aws


def _items(client: Any, table: str, user: str, prefix: str = "") -> list[dict[str, Any]]:
    """The user's raw items whose sort key starts with `prefix`."""
    pages = client.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user}"}},
    )
    return [item for page in pages for item in page["Items"] if item["sk"]["S"].startswith(prefix)]


def _written_sort_keys(recorder: RecordingClient) -> list[list[str]]:
    """The sort keys each TransactWriteItems call touched, one list per call."""
    calls = [c for c in recorder.calls if c.operation == "transact_write_items"]
    return [
        [
            next(iter(a.values())).get("Item", next(iter(a.values())).get("Key"))["sk"]["S"]
            for a in c.kwargs["TransactItems"]
        ]  # fmt: skip
        for c in calls
    ]


def test_add_with_a_key_writes_expense_totals_and_key_record_in_one_transaction(
    dynamodb_client: Any, dynamodb_table: str
) -> None:
    recorder = RecordingClient(dynamodb_client)
    store = DynamoExpenseStore(recorder.as_client(), dynamodb_table)
    user = new_user()

    added = store.add(make_expense(user, day=date(2026, 11, 24)), IdempotencyKey("k", "f"))

    (keys,) = _written_sort_keys(recorder)
    assert sorted(keys) == [
        "AGG#D#2026-11-24#EUR#Food",
        "AGG#M#2026-11#EUR#Food",
        f"EXP#{added.id}",
        idempotency_key(user, "k")["sk"]["S"],
    ]


def test_idempotency_record_expires_by_ttl_after_at_least_24_hours(
    dynamodb_client: Any, dynamodb_table: str
) -> None:
    store = DynamoExpenseStore(dynamodb_client, dynamodb_table)
    user = new_user()
    added = store.add(make_expense(user), IdempotencyKey("k", "f"))

    (record,) = _items(dynamodb_client, dynamodb_table, user, "IDEM#")
    ttl = dynamodb_client.describe_time_to_live(TableName=dynamodb_table)

    assert int(record[TTL_ATTRIBUTE]["N"]) >= (added.created_at + timedelta(hours=24)).timestamp()
    assert ttl["TimeToLiveDescription"]["AttributeName"] == TTL_ATTRIBUTE
    assert ttl["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"


def test_long_idempotency_keys_fit_in_a_sort_key(dynamodb_client: Any, dynamodb_table: str) -> None:
    store = DynamoExpenseStore(dynamodb_client, dynamodb_table)
    user = new_user()
    key = IdempotencyKey("ключ" * 63, "f")  # 252 characters, 504 bytes of UTF-8
    first = store.add(make_expense(user), key)

    assert store.add(make_expense(user), key) == first


def test_date_change_moves_the_item_and_its_totals_in_one_transaction(
    dynamodb_client: Any, dynamodb_table: str
) -> None:
    recorder = RecordingClient(dynamodb_client)
    store = DynamoExpenseStore(recorder.as_client(), dynamodb_table)
    user = new_user()
    added = store.add(make_expense(user, day=date(2026, 1, 15)))
    recorder.calls.clear()

    store.replace(dataclasses.replace(added, date=date(2026, 3, 2), version=2), 1)

    (keys,) = _written_sort_keys(recorder)
    assert sorted(keys)[:4] == [
        "AGG#D#2026-01-15#EUR#Food",
        "AGG#D#2026-03-02#EUR#Food",
        "AGG#M#2026-01#EUR#Food",
        "AGG#M#2026-03#EUR#Food",
    ]
    (item,) = _items(dynamodb_client, dynamodb_table, user, "EXP#")
    assert item["date_id"]["S"] == f"2026-03-02#{added.id}"
    january = ExpenseFilter(date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    march = ExpenseFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert store.list_page(user, january, 10, None).items == []
    assert ids(store.list_page(user, march, 10, None).items) == [added.id]
    assert [m.month for m in store.summary(user, None, None).by_month] == ["2026-03"]


def test_large_import_spans_transactions_and_is_undone_when_one_fails(
    dynamodb_client: Any, dynamodb_table: str
) -> None:
    recorder = RecordingClient(dynamodb_client)
    store = DynamoExpenseStore(recorder.as_client(), dynamodb_table)
    user = new_user()
    existing = store.add(make_expense(user, amount="1.00"))
    batch = [make_expense(user, day=date(2026, 2, 1 + i % 28)) for i in range(250)]
    batch.append(dataclasses.replace(batch[0], id=existing.id))  # clashes, in the last chunk
    recorder.calls.clear()

    with pytest.raises(Conflict):
        store.add_many(batch)

    assert len(_written_sort_keys(recorder)) >= 5  # 3 chunks tried, 2 undone
    assert all(len(keys) <= 100 for keys in _written_sort_keys(recorder))
    assert ids(list(store.iterate(user, ExpenseFilter()))) == [existing.id]
    summary = store.summary(user, None, None)
    assert [(t.amount, t.count) for t in summary.totals] == [(existing.amount, 1)]


def test_delete_user_removes_every_item_of_the_user(
    dynamodb_client: Any, dynamodb_table: str
) -> None:
    store = DynamoExpenseStore(dynamodb_client, dynamodb_table)
    profiles = DynamoProfiles(dynamodb_client, dynamodb_table)
    user, other = new_user(), new_user()
    receipt = make_receipt("users/u/receipts/r1")
    store.add_many([make_expense(user, day=date(2026, 1, 1 + i % 28)) for i in range(60)])
    store.add(make_expense(user, receipt=receipt), IdempotencyKey("k", "f"))
    profiles.set_default_currency(user, "JPY")
    kept = store.add(make_expense(other))

    receipts = store.delete_user(user)

    assert receipts == [receipt]
    assert _items(dynamodb_client, dynamodb_table, user) == []
    assert store.get(other, kept.id) == kept


def test_profile_is_an_item_in_the_users_partition(
    dynamodb_client: Any, dynamodb_table: str
) -> None:
    profiles = DynamoProfiles(dynamodb_client, dynamodb_table, "EUR")
    user = new_user()

    profiles.set_default_currency(user, "JPY")

    (item,) = _items(dynamodb_client, dynamodb_table, user, "PROFILE")
    assert item["default_currency"] == {"S": "JPY"}
    assert profiles.default_currency(user) == "JPY"
