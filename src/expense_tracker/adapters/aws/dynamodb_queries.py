"""Query arguments for listing a user's expenses on the date index."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...domain.expense import ExpenseFilter
from ...domain.money import to_minor
from .dynamodb_codec import AFTER_DATE, fold, n, s, user_pk
from .dynamodb_schema import DATE_INDEX, DATE_INDEX_SORT_KEY, PARTITION_KEY

if TYPE_CHECKING:
    from .dynamodb_codec import Item


def expense_query(
    table_name: str, user_id: str, filters: ExpenseFilter, high_limit: str | None
) -> dict[str, Any] | None:
    """Query arguments on the date index, newest first; None when the range is empty."""
    names = {"#pk": PARTITION_KEY}
    values: Item = {":pk": s(user_pk(user_id))}
    low = filters.date_from.isoformat() if filters.date_from else None
    highs = [
        h for h in (filters.date_to and filters.date_to.isoformat() + AFTER_DATE, high_limit) if h
    ]
    high = min(highs) if highs else None
    condition = "#pk = :pk"
    if low and high and low > high:
        return None
    if low or high:
        names["#date_id"] = DATE_INDEX_SORT_KEY
        values.update({k: s(v) for k, v in ((":low", low), (":high", high)) if v})
        bound = "BETWEEN :low AND :high" if low and high else (">= :low" if low else "<= :high")
        condition += f" AND #date_id {bound}"
    query: dict[str, Any] = {
        "TableName": table_name,
        "IndexName": DATE_INDEX,
        "ConsistentRead": True,  # an LSI allows it: a listing sees the write just made
        "ScanIndexForward": False,
        "KeyConditionExpression": condition,
    }
    clauses = []
    if filters.category is not None or filters.text:
        names["#category_fold"] = "category_fold"
    if filters.category is not None:
        values[":category"] = s(fold(filters.category))
        clauses.append("#category_fold = :category")
    if filters.text:  # in either field, never across the two
        names["#description_fold"] = "description_fold"
        values[":text"] = s(fold(filters.text))
        clauses.append("(contains(#description_fold, :text) OR contains(#category_fold, :text))")
    if filters.money is not None:
        amount, currency = filters.money
        names.update({"#currency": "currency", "#amount_minor": "amount_minor"})
        values.update({":currency": s(currency), ":amount_minor": n(to_minor(amount, currency))})
        clauses.append("#currency = :currency AND #amount_minor = :amount_minor")
    if clauses:
        query["FilterExpression"] = " AND ".join(clauses)
    return {**query, "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
