"""Per-user running totals (sum of minor units and count) per month and per day, by currency and
category, updated in the same TransactWriteItems as the expense write they account for.

Updates are ``ADD``s, which DynamoDB applies atomically on the item, so concurrent writers never
lose each other's counts; as the expense write and its aggregate updates commit or fail
together, the totals always equal what the expense items say.

A summary for [from, to] reads the monthly totals of the whole months inside the range and the
daily totals of the partial months at its ends: O(months + days in two months), whatever the
number of expenses. Categories read the monthly totals only. Totals that fall to zero stay as
items with count 0 (removing them would race with a concurrent ADD) and are skipped on read.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ...domain.analytics import CategoryTotal, CurrencyTotal, MonthTotal, Summary, build_summary
from ...domain.expense import MAX_DATE, MIN_DATE, CategoryCount, Expense
from ...domain.money import from_minor, to_minor
from .dynamodb_codec import DAY_PREFIX, MONTH_PREFIX, key, n, number, s, text

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from .dynamodb_codec import ItemView

# Aggregate sort keys end "#<category>"; "$" sorts after "#", closing a period's range.
PERIOD_END = "$"


@dataclass(frozen=True)
class Bucket:
    period: str  # YYYY-MM or YYYY-MM-DD
    currency: str
    category: str

    def sort_key(self) -> str:
        prefix = DAY_PREFIX if len(self.period) == 10 else MONTH_PREFIX
        return f"{prefix}{self.period}#{self.currency}#{self.category}"


Deltas = dict[Bucket, tuple[int, int]]  # bucket -> (minor units, count)


def expense_deltas(expense: Expense, sign: int) -> Deltas:
    """What adding (sign 1) or removing (sign -1) `expense` does to its month and day buckets."""
    minor = to_minor(expense.amount, expense.currency) * sign
    day = expense.date.isoformat()
    return {
        Bucket(day[:7], expense.currency, expense.category): (minor, sign),
        Bucket(day, expense.currency, expense.category): (minor, sign),
    }


def merge(parts: Iterable[Deltas]) -> Deltas:
    """Sum deltas per bucket (one transaction may touch an item once) and drop no-ops."""
    total: dict[Bucket, list[int]] = defaultdict(lambda: [0, 0])
    for part in parts:
        for bucket, (minor, count) in part.items():
            total[bucket][0] += minor
            total[bucket][1] += count
    return {b: (m, c) for b, (m, c) in total.items() if m or c}


def update_actions(table_name: str, user_id: str, deltas: Deltas) -> list[TransactWriteItemTypeDef]:
    return [
        {
            "Update": {
                "TableName": table_name,
                "Key": key(user_id, bucket.sort_key()),
                "UpdateExpression": "ADD #minor :minor, #count :count "
                "SET #period = :period, #currency = :currency, #category = :category",
                # "count" is a reserved word; naming every attribute keeps the rule simple.
                "ExpressionAttributeNames": {
                    "#minor": "minor",
                    "#count": "count",
                    "#period": "period",
                    "#currency": "currency",
                    "#category": "category",
                },
                "ExpressionAttributeValues": {
                    ":minor": n(minor),
                    ":count": n(count),
                    ":period": s(bucket.period),
                    ":currency": s(bucket.currency),
                    ":category": s(bucket.category),
                },
            }
        }
        for bucket, (minor, count) in sorted(deltas.items(), key=lambda i: i[0].sort_key())
    ]


@dataclass(frozen=True)
class Total:
    bucket: Bucket
    minor: int
    count: int


def decode(items: Iterable[ItemView]) -> Iterator[Total]:
    for item in items:
        total = Total(
            Bucket(text(item, "period"), text(item, "currency"), text(item, "category")),
            number(item, "minor"),
            number(item, "count"),
        )
        if total.count:
            yield total


@dataclass(frozen=True)
class KeyRange:
    low: str
    high: str


# "AGG#M$" is above every "AGG#M#...".
ALL_MONTHS = KeyRange(MONTH_PREFIX, MONTH_PREFIX.removesuffix("#") + PERIOD_END)


def summary_ranges(date_from: date | None, date_to: date | None) -> list[KeyRange]:
    """The sort-key ranges whose totals make up [date_from, date_to]."""
    first, last = date_from or MIN_DATE, date_to or MAX_DATE
    if first > last:
        return []
    whole_from = first if first.day == 1 else _month_end(first) + timedelta(days=1)
    whole_to = last if last == _month_end(last) else last.replace(day=1) - timedelta(days=1)
    if whole_from > whole_to:  # no whole month inside: days only
        return [_days(first, last)]
    ranges = [KeyRange(MONTH_PREFIX + whole_from.isoformat()[:7], _month_key_end(whole_to))]
    if first < whole_from:
        ranges.append(_days(first, whole_from - timedelta(days=1)))
    if whole_to < last:
        ranges.append(_days(whole_to + timedelta(days=1), last))
    return ranges


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _month_key_end(day: date) -> str:
    return MONTH_PREFIX + day.isoformat()[:7] + PERIOD_END


def day_range(first: date, last: date) -> KeyRange:
    """The daily totals' sort keys from `first` to `last`, both included."""
    return _days(first, last)


def _days(first: date, last: date) -> KeyRange:
    return KeyRange(DAY_PREFIX + first.isoformat(), DAY_PREFIX + last.isoformat() + PERIOD_END)


def to_summary(totals: Iterable[Total], date_from: date | None, date_to: date | None) -> Summary:
    currencies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    categories: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    months: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for t in totals:
        b = t.bucket
        for acc in (currencies[b.currency], categories[(b.category, b.currency)],
                    months[(b.period[:7], b.currency)]):  # fmt: skip
            acc[0] += t.minor
            acc[1] += t.count
    return build_summary(
        date_from,
        date_to,
        [CurrencyTotal(c, from_minor(m, c), k) for c, (m, k) in currencies.items()],
        [CategoryTotal(g, c, from_minor(m, c), k) for (g, c), (m, k) in categories.items()],
        [MonthTotal(p, c, from_minor(m, c), k) for (p, c), (m, k) in months.items()],
    )


def to_categories(totals: Iterable[Total]) -> list[CategoryCount]:
    counts: dict[str, int] = defaultdict(int)
    for t in totals:
        counts[t.bucket.category] += t.count
    return [CategoryCount(name, count) for name, count in sorted(counts.items()) if count]
