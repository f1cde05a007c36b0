"""DynamoDB listing: Query only (never Scan), and nothing lost past DynamoDB's own pages."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from expense_tracker.adapters.aws.dynamodb_store import DynamoExpenseStore
from expense_tracker.adapters.memory import MemoryExpenseStore
from expense_tracker.domain.expense import ExpenseFilter, Position
from tests.contract.factories import ids, make_expense, make_receipt, new_user
from tests.support.dynamodb_local import RecordingClient

pytestmark = pytest.mark.aws

LONG = "x" * 480  # items of about 1 KB: a thousand of them pass DynamoDB's 1 MB page


def _store(client: RecordingClient, table: str, page_size: int | None = None) -> DynamoExpenseStore:
    return DynamoExpenseStore(client.as_client(), table, query_page_size=page_size)


def test_filtered_list_follows_dynamodb_pages_past_the_first(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    recorder = RecordingClient(dynamodb_client)  # type: ignore[arg-type]
    store = _store(recorder, dynamodb_table, page_size=4)
    user = new_user()
    start = date(2026, 1, 1)
    expenses = [
        make_expense(user, day=start + timedelta(days=i), category="Rare" if i % 7 == 0 else "Food")
        for i in range(40)
    ]
    store.add_many(expenses)
    rare = sorted((e for e in expenses if e.category == "Rare"), key=lambda e: e.date, reverse=True)

    first = store.list_page(user, ExpenseFilter(category="rare"), 4, None)
    assert first.next is not None
    second = store.list_page(user, ExpenseFilter(category="rare"), 4, first.next)

    assert ids(first.items + second.items) == ids(rare)
    assert second.next is None
    assert sum(op == "query" for op in recorder.operations()) > 3  # 40 items / 4 per request


def test_more_than_a_megabyte_of_matches_is_exported_in_full(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    recorder = RecordingClient(dynamodb_client)  # type: ignore[arg-type]
    store = _store(recorder, dynamodb_table)  # DynamoDB's own page size: 1 MB
    user = new_user()
    start = date(2020, 1, 1)
    expenses = [
        make_expense(user, day=start + timedelta(days=i), description=f"{LONG} {i}")
        for i in range(1100)
    ]
    store.add_many(expenses)
    recorder.calls.clear()

    exported = list(store.iterate(user, ExpenseFilter(text=LONG)))

    assert ids(exported) == ids(expenses[::-1])
    queries = [c for c in recorder.calls if c.operation == "query"]
    assert len(queries) >= 2
    assert "LastEvaluatedKey" in queries[0].answer  # DynamoDB cut the first page at 1 MB


def test_no_operation_scans_the_table(dynamodb_client: object, dynamodb_table: str) -> None:
    recorder = RecordingClient(dynamodb_client)  # type: ignore[arg-type]
    store = _store(recorder, dynamodb_table)
    user = new_user()
    kept = store.add(make_expense(user, receipt=make_receipt("users/u/receipts/1")))
    store.add_many([make_expense(user, day=date(2025, 5, 5)) for _ in range(3)])
    store.get(user, kept.id)
    store.list_page(user, ExpenseFilter(date_from=date(2025, 1, 1), text="lunch"), 2, None)
    store.replace(dataclasses.replace(kept, date=date(2024, 2, 2), version=2), 1)
    list(store.iterate(user, ExpenseFilter(category="food")))
    store.summary(user, date(2025, 5, 3), None)
    store.categories(user)
    store.delete(user, kept.id)
    store.delete_user(user)

    operations = set(recorder.operations())
    assert "scan" not in operations
    assert {"query", "get_item", "transact_write_items", "batch_write_item"} <= operations


def test_unfiltered_page_reads_only_what_it_returns(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    recorder = RecordingClient(dynamodb_client)  # type: ignore[arg-type]
    store = _store(recorder, dynamodb_table)
    user = new_user()
    store.add_many(
        [make_expense(user, day=date(2026, 3, 1) + timedelta(days=i)) for i in range(30)]
    )
    recorder.calls.clear()

    page = store.list_page(user, ExpenseFilter(), 5, None)

    (query,) = [c for c in recorder.calls if c.operation == "query"]
    assert len(page.items) == 5
    assert query.kwargs["IndexName"] == "by_date"
    assert query.answer["ScannedCount"] <= 7  # the page, one to know more follow, the cursor's


def test_cursor_of_a_deleted_expense_still_continues_the_list(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    store = _store(RecordingClient(dynamodb_client), dynamodb_table)  # type: ignore[arg-type]
    user = new_user()
    expenses = [make_expense(user, day=date(2026, 4, d)) for d in range(1, 7)]
    store.add_many(expenses)
    first = store.list_page(user, ExpenseFilter(), 3, None)
    assert first.next is not None
    store.delete(user, first.next.id)

    rest = store.list_page(user, ExpenseFilter(), 10, Position(first.next.date, first.next.id))

    assert ids(rest.items) == ids(expenses[:3][::-1])


def test_a_cursor_outside_the_date_range_gives_an_empty_page(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    store = _store(RecordingClient(dynamodb_client), dynamodb_table)  # type: ignore[arg-type]
    user = new_user()
    store.add(make_expense(user, day=date(2026, 4, 10)))

    page = store.list_page(
        user, ExpenseFilter(date_from=date(2026, 4, 1)), 10, Position(date(2026, 3, 1), "Z")
    )

    assert page.items == []
    assert page.next is None


TEXTS = ["Straße", "STRASSE", "100%_off", "Ünïcode café", "line\nbreak", "", "Food"]


def test_filters_agree_with_the_memory_reference(
    dynamodb_client: object, dynamodb_table: str
) -> None:
    dynamo = _store(RecordingClient(dynamodb_client), dynamodb_table, page_size=3)  # type: ignore[arg-type]
    memory = MemoryExpenseStore()
    user = new_user()
    expenses = [
        make_expense(user, category=c, description=d, day=date(2026, 6, 1 + i))
        for i, (c, d) in enumerate(
            (c, d) for c in ("Food", "straße", "Café", "100%") for d in TEXTS
        )
    ]
    dynamo.add_many(expenses)
    memory.add_many(expenses)
    filters = [ExpenseFilter(category=c) for c in ("FOOD", "STRASSE", "café", "100%", "")]
    filters += [ExpenseFilter(text=t) for t in ("ss", "%_", "É", "\n", "e\nb", "od\nF", " ")]
    filters += [ExpenseFilter(date_from=date(2026, 6, 5), date_to=date(2026, 6, 20), text="a")]

    for f in filters:
        expected = ids(list(memory.iterate(user, f)))
        assert ids(list(dynamo.iterate(user, f))) == expected, f
        assert ids(dynamo.list_page(user, f, 200, None).items) == expected, f
