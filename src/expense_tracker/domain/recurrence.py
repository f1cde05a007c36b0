"""Recurring series: RFC 5545 RRULEs (python-dateutil) over dates, at most one occurrence a day.

A series materialises each occurrence as one expense whose id is derived from the series id and
the occurrence's date, so inserting it twice is a conflict, never a second expense."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from dateutil.rrule import rrule, rrulestr

from .errors import FieldError, Invalid

RULE_MAX = 500
_DAY_OR_LONGER = {"YEARLY", "MONTHLY", "WEEKLY", "DAILY"}
_FREQ = re.compile(r"(?:^|;)FREQ=([A-Z]+)")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")


@dataclass(frozen=True)
class Series:
    id: str
    user_id: str
    amount: Decimal
    currency: str
    category: str
    description: str
    rule: str
    start: date
    until: date | None
    done_through: date | None = None  # the watermark: every occurrence <= it exists
    version: int = 1


def parse_rule(rule: object, start: date) -> rrule:
    """The rule anchored at `start`; 422 naming `rule` when it is not one RRULE of at most
    one occurrence a day (HOURLY, BYHOUR=..., DTSTART or several lines are refused)."""
    if not isinstance(rule, str) or not 0 < len(rule) <= RULE_MAX:
        raise Invalid(FieldError("rule", f"must be an RRULE of 1 to {RULE_MAX} characters"))
    text = rule.strip().removeprefix("RRULE:")
    upper = text.upper()
    if any(c in text for c in "\r\n") or "DTSTART" in upper:
        raise Invalid(FieldError("rule", "must be one RRULE line without DTSTART"))
    if any(part in upper for part in _TIME_PARTS):
        raise Invalid(FieldError("rule", "must not repeat within a day (BYHOUR/BYMINUTE)"))
    try:
        parsed = rrulestr(text, dtstart=datetime.combine(start, time()))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise Invalid(FieldError("rule", "is not a valid RFC 5545 RRULE")) from exc
    frequency = _FREQ.search(upper)
    if not isinstance(parsed, rrule) or not frequency or frequency[1] not in _DAY_OR_LONGER:
        raise Invalid(FieldError("rule", "must repeat at most once a day (DAILY or longer)"))
    return parsed


def occurrences(series: Series, after: date | None, through: date) -> Iterator[date]:
    """Occurrence dates in (after, through], within the series' start and until."""
    last = min(through, series.until) if series.until else through
    low = max(after, _day_before(series.start)) if after else _day_before(series.start)
    if last <= low:
        return
    rule = parse_rule(series.rule, series.start)
    moments = rule.between(datetime.combine(low, time()), datetime.combine(last, time()), inc=True)
    yield from (day for m in moments if (day := m.date()) > low)


def next_occurrence(series: Series, today: date) -> date | None:
    """The first occurrence after the watermark and not before today (None: none left)."""
    after = max(d for d in (series.done_through, _day_before(today)) if d is not None)
    rule = parse_rule(series.rule, series.start)
    found = rule.after(datetime.combine(after, time()), inc=False)
    if found is None:
        return None
    day = found.date()
    return None if series.until and day > series.until else day


def occurrence_id(series_id: str, day: date) -> str:
    """The expense id of one occurrence: alphanumeric, so the expense routes accept it."""
    return f"{series_id}R{day:%Y%m%d}"


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)
