"""The ExpenseStore on one DynamoDB table (layout and index: dynamodb_schema; the Profiles
adapter, DynamoProfiles, shares the table and is re-exported here).

- get / replace / delete address the expense by its key; list_page and iterate Query the
  ``by_date`` index newest first, the date range in the key condition, category and text in a
  FilterExpression, following DynamoDB's pages (1 MB each) until the page is full.
- Every write is one TransactWriteItems holding the expense write (conditioned on
  ``attribute_not_exists`` for a new one, on ``version`` for a change or delete), the ADD
  updates of the monthly and daily aggregates (dynamodb_aggregates) and, for an add with an
  Idempotency-Key, the key's record with its TTL (dynamodb_idempotency). Contention between
  transactions is retried (dynamodb_calls); a failed condition becomes Conflict (id taken),
  PreconditionFailed (stale version) or NotFound (gone).
- add_many is all-or-nothing up to DynamoDB's limits (dynamodb_chunks): a transaction holds at
  most 100 actions, so a large import is split into transactions of <= 100 actions (expenses
  plus the aggregates they touch); when one fails, those already committed are deleted again
  (compensation). Readers may see part of an import while it runs, and a failure of the
  compensation itself (e.g. the table becoming unreachable) leaves part of it in place: the
  StorageError says so.
- boto3 clients are expensive to build: the caller creates one and passes it in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from ...domain.analytics import DayTotal, Summary, day_totals
from ...domain.errors import Conflict, NotFound, PreconditionFailed
from ...domain.expense import CategoryCount, Expense, ExpenseFilter, ExpensePage, Position, Receipt
from ...domain.export_rows import ExportFormat, ExportRow, TextBlock, export_row, row_blocks
from ...domain.summary_totals import FactorOf, SummaryTotals, sum_days
from ...ports import IdempotencyKey
from ..store_messages import DUPLICATE_ID
from . import dynamodb_aggregates as aggregates
from .dynamodb_calls import ConditionFailed, batch_delete, query_pages, sdk_errors, transact
from .dynamodb_chunks import add_in_chunks
from .dynamodb_codec import (
    date_id,
    expense_from_item,
    expense_key,
    expense_to_item,
    idempotency_key,
    n,
    receipt_from_item,
    s,
    text,
    user_pk,
)
from .dynamodb_idempotency import record_put, replayed
from .dynamodb_profiles import DynamoProfiles
from .dynamodb_queries import expense_query
from .dynamodb_schema import DATE_INDEX_SORT_KEY, PARTITION_KEY, SORT_KEY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from .dynamodb_codec import Item

__all__ = ["DynamoExpenseStore", "DynamoProfiles"]

_NOT_FOUND = "No such expense"
_CHANGED = "The expense was changed by someone else"
WRITE_ATTEMPTS = 5


class DynamoExpenseStore:
    def __init__(
        self, client: DynamoDBClient, table_name: str, *, query_page_size: int | None = None
    ) -> None:
        """`query_page_size` caps the items DynamoDB reads per Query request; None lets it
        fill 1 MB pages. Tests set it small to cross page boundaries with few items."""
        self._client = client
        self._table = table_name
        self._page_size = query_page_size

    # --- writes -------------------------------------------------------------------------

    def _put_new(self, expense: Expense) -> TransactWriteItemTypeDef:
        return {
            "Put": {
                "TableName": self._table,
                "Item": expense_to_item(expense),
                "ConditionExpression": "attribute_not_exists(#pk)",
                "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
            }
        }

    def _aggregate_updates(
        self, user_id: str, deltas: aggregates.Deltas
    ) -> list[TransactWriteItemTypeDef]:
        return aggregates.update_actions(self._table, user_id, deltas)

    def add(self, expense: Expense, idempotency: IdempotencyKey | None = None) -> Expense:
        deltas = aggregates.expense_deltas(expense, 1)
        actions = [self._put_new(expense), *self._aggregate_updates(expense.user_id, deltas)]
        if idempotency is None:
            self._add_new(actions)
            return expense
        actions.append(record_put(self._table, expense, idempotency))
        for _attempt in range(WRITE_ATTEMPTS):
            try:
                transact(self._client, actions, "add")
                return expense
            except ConditionFailed as failed:
                if len(actions) - 1 not in failed.failed:
                    raise Conflict(DUPLICATE_ID) from failed
            first = self._replayed(expense, idempotency)
            if first is not None:
                return first
            # The key's record expired between our write and our read: try again.
        raise Conflict("The Idempotency-Key is being used concurrently; try again")

    def _add_new(self, actions: list[TransactWriteItemTypeDef]) -> None:
        try:
            transact(self._client, actions, "add")
        except ConditionFailed as failed:
            raise Conflict(DUPLICATE_ID) from failed

    def _replayed(self, expense: Expense, idempotency: IdempotencyKey) -> Expense | None:
        item = self._get_item(idempotency_key(expense.user_id, idempotency.key))
        return None if item is None else replayed(item, expense, idempotency)

    def add_many(self, expenses: list[Expense]) -> None:
        keys = [(e.user_id, e.id) for e in expenses]
        if len(set(keys)) != len(keys):
            raise Conflict(DUPLICATE_ID)
        add_in_chunks(self._client, self._table, expenses, self._put_new)

    def replace(self, expense: Expense, expected_version: int) -> Expense:
        current = self.get(expense.user_id, expense.id)
        if current.version != expected_version:
            raise PreconditionFailed(_CHANGED)
        deltas = aggregates.merge(
            [aggregates.expense_deltas(current, -1), aggregates.expense_deltas(expense, 1)]
        )
        # One Put rewrites the item, its date_id included: a date change moves it in the
        # index atomically with the aggregate updates.
        put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": expense_to_item(expense),
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":expected": n(expected_version)},
            }
        }
        try:
            transact(
                self._client, [put, *self._aggregate_updates(expense.user_id, deltas)], "replace"
            )
        except ConditionFailed as exc:
            self.get(expense.user_id, expense.id)  # NotFound when it is gone meanwhile
            raise PreconditionFailed(_CHANGED) from exc
        return expense

    def delete(self, user_id: str, expense_id: str) -> Expense:
        for _attempt in range(WRITE_ATTEMPTS):
            current = self.get(user_id, expense_id)
            deltas = aggregates.expense_deltas(current, -1)
            remove: TransactWriteItemTypeDef = {
                "Delete": {
                    "TableName": self._table,
                    "Key": expense_key(user_id, expense_id),
                    # Only the version we counted out of the aggregates.
                    "ConditionExpression": "#version = :seen",
                    "ExpressionAttributeNames": {"#version": "version"},
                    "ExpressionAttributeValues": {":seen": n(current.version)},
                }
            }
            try:
                transact(
                    self._client, [remove, *self._aggregate_updates(user_id, deltas)], "delete"
                )
                return current
            except ConditionFailed:
                continue  # changed or deleted meanwhile: read it again
        raise Conflict("The expense keeps changing; try again")

    # --- reads --------------------------------------------------------------------------

    def _get_item(self, item_key: Item) -> Item | None:
        with sdk_errors("GetItem"):
            answer = self._client.get_item(TableName=self._table, Key=item_key, ConsistentRead=True)
        return answer.get("Item")

    def get(self, user_id: str, expense_id: str) -> Expense:
        item = self._get_item(expense_key(user_id, expense_id))
        if item is None:
            raise NotFound(_NOT_FOUND)
        return expense_from_item(item)

    def _pages(
        self, user_id: str, filters: ExpenseFilter, high: str | None, limit: int | None
    ) -> Iterator[list[Item]]:
        query = expense_query(self._table, user_id, filters, high)
        if query is None:
            return
        # Without a filter every item read is returned: read no more than the page needs.
        cap = limit if "FilterExpression" not in query else None
        sizes = [size for size in (cap, self._page_size) if size]
        if sizes:
            query["Limit"] = min(sizes)
        yield from query_pages(self._client, **query)

    def list_page(
        self, user_id: str, filters: ExpenseFilter, limit: int, after: Position | None
    ) -> ExpensePage:
        # The position's date_id is the (inclusive) upper bound of the key condition and its item
        # is skipped: unlike an ExclusiveStartKey, this holds when that item was deleted or
        # moved, and an out-of-range position just gives an empty page.
        high = date_id(after.date, after.id) if after else None
        found: list[Expense] = []
        for page in self._pages(user_id, filters, high, limit + 2):
            found.extend(expense_from_item(i) for i in page if text(i, DATE_INDEX_SORT_KEY) != high)
            if len(found) > limit:
                break
        items = found[:limit]
        more = len(found) > limit
        return ExpensePage(items, Position(items[-1].date, items[-1].id) if more else None)

    def iterate(self, user_id: str, filters: ExpenseFilter) -> Iterator[Expense]:
        for page in self._pages(user_id, filters, None, None):
            yield from (expense_from_item(item) for item in page)

    def export_pages(self, user_id: str, filters: ExpenseFilter) -> Iterator[list[ExportRow]]:
        # A Query page (up to 1 MB) is a page of the export: one round trip, one block.
        for page in self._pages(user_id, filters, None, None):
            if rows := [export_row(expense_from_item(item)) for item in page]:
                yield rows

    def export_text(
        self, user_id: str, filters: ExpenseFilter, fmt: ExportFormat
    ) -> Iterator[TextBlock]:
        return row_blocks(self.export_pages(user_id, filters), fmt)

    def _totals(self, low: str, high: str, user_id: str) -> Iterator[aggregates.Total]:
        for page in query_pages(
            self._client,
            TableName=self._table,
            ConsistentRead=True,
            KeyConditionExpression="#pk = :pk AND #sk BETWEEN :low AND :high",
            ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY},
            ExpressionAttributeValues={
                ":pk": s(user_pk(user_id)),
                ":low": s(low),
                ":high": s(high),
            },
        ):
            yield from aggregates.decode(page)

    def categories(self, user_id: str) -> list[CategoryCount]:
        months = aggregates.ALL_MONTHS
        return aggregates.to_categories(self._totals(months.low, months.high, user_id))

    def summary(self, user_id: str, date_from: date | None, date_to: date | None) -> Summary:
        totals = [
            total
            for r in aggregates.summary_ranges(date_from, date_to)
            for total in self._totals(r.low, r.high, user_id)
        ]
        return aggregates.to_summary(totals, date_from, date_to)

    def day_totals(self, user_id: str, filters: ExpenseFilter) -> list[DayTotal]:
        if filters.text or filters.money is not None:
            # DynamoDB has no GROUP BY: a text search sums the matching expenses themselves.
            return day_totals(self.iterate(user_id, filters))
        r = aggregates.day_range(filters.date_from, filters.date_to)
        return aggregates.to_day_totals(self._totals(r.low, r.high, user_id), filters.category)

    def summary_totals(
        self, user_id: str, filters: ExpenseFilter, factor_of: FactorOf | None
    ) -> SummaryTotals:
        # The day items are read as they are (O(days)); the sums are made here.
        return sum_days(self.day_totals(user_id, filters), factor_of)

    # --- the whole user -----------------------------------------------------------------

    def delete_user(self, user_id: str) -> list[Receipt]:
        """Every item under the user's partition key: expenses, aggregates, idempotency
        records and the profile, a Query page at a time."""
        receipts: list[Receipt] = []
        for page in query_pages(
            self._client,
            TableName=self._table,
            ConsistentRead=True,
            KeyConditionExpression="#pk = :pk",
            ProjectionExpression="#pk, #sk, #receipt",
            ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY, "#receipt": "receipt"},
            ExpressionAttributeValues={":pk": s(user_pk(user_id))},
        ):
            receipts.extend(r for item in page if (r := receipt_from_item(item)) is not None)
            batch_delete(
                self._client,
                self._table,
                [{k: i[k] for k in (PARTITION_KEY, SORT_KEY)} for i in page],
            )
        return receipts
