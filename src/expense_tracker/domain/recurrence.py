"""Recurring series: RFC 5545 RRULEs (python-dateutil) over dates, at most one occurrence a day.

A series materialises each occurrence as one expense whose id is derived from the series id and
the occurrence's date, so inserting it twice is a conflict, never a second expense."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.rrule import rrule, rrulestr

from .errors import FieldError, Invalid

RULE_MAX = 500
HORIZON_YEARS = 8  # a leap day occurs within any 8 years
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
    _check_parts(upper)
    try:
        parsed = rrulestr(text, dtstart=datetime.combine(start, time()))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise Invalid(FieldError("rule", "is not a valid RFC 5545 RRULE")) from exc
    frequency = _FREQ.search(upper)
    if not isinstance(parsed, rrule) or not frequency or frequency[1] not in _DAY_OR_LONGER:
        raise Invalid(FieldError("rule", "must repeat at most once a day (DAILY or longer)"))
    first = datetime.combine(start, time())
    # A rule that never fires (BYMONTHDAY=40, an UNTIL before the start) is a mistake; looking
    # a bounded span ahead keeps the check cheap (dateutil would search to the year 9999).
    if not parsed.between(first, _ahead(first), inc=True):
        raise Invalid(
            FieldError("rule", f"has no occurrence in the {HORIZON_YEARS} years from start")
        )
    return parsed


# Values a rule part may take (RFC 5545 3.3.10). dateutil takes some impossible ones and then
# searches for an occurrence up to the year 9999 (BYMONTH=2;BYMONTHDAY=30: most of a minute),
# so they are refused here, before dateutil sees them.
_RANGES = {"BYMONTHDAY": 31, "BYYEARDAY": 366, "BYWEEKNO": 53, "BYSETPOS": 366, "BYMONTH": 12}
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # the most each month has


def _numbers(parts: dict[str, str], name: str) -> list[int]:
    try:
        values = [int(v) for v in parts[name].split(",")] if name in parts else []
    except ValueError as exc:
        raise Invalid(FieldError("rule", f"{name} must be a list of numbers")) from exc
    limit = _RANGES[name]
    if any(v == 0 or abs(v) > limit or (name == "BYMONTH" and v < 0) for v in values):
        raise Invalid(FieldError("rule", f"{name} values must be within 1..{limit}"))
    return values


def _check_parts(upper: str) -> None:
    parts = dict(p.partition("=")[::2] for p in upper.split(";") if p)
    months = _numbers(parts, "BYMONTH") or list(range(1, 13))
    days = _numbers(parts, "BYMONTHDAY")
    for name in ("BYYEARDAY", "BYWEEKNO"):
        _numbers(parts, name)
    per_period = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31}.get(parts.get("FREQ", ""), 366)
    if any(abs(p) > per_period for p in _numbers(parts, "BYSETPOS")):
        raise Invalid(FieldError("rule", f"BYSETPOS must be within 1..{per_period} here"))
    if days and not any(abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in days):
        raise Invalid(FieldError("rule", "BYMONTHDAY never falls in the months of BYMONTH"))
    if ("BYYEARDAY" in parts or "BYWEEKNO" in parts) and ("BYMONTH" in parts or days):
        raise Invalid(FieldError("rule", "BYYEARDAY and BYWEEKNO cannot be mixed with BYMONTH"))
    ordinals = [d[:-2] for d in parts.get("BYDAY", "").split(",") if len(d) > 2]
    if any(o.lstrip("+-").isdigit() and int(o.lstrip("+-")) > 5 for o in ordinals) and (
        parts.get("FREQ") == "MONTHLY"
    ):
        raise Invalid(FieldError("rule", "a month has at most 5 of each weekday"))


def _ahead(moment: datetime) -> datetime:
    horizon = timedelta(days=366 * HORIZON_YEARS)
    return moment + horizon if moment < datetime.max - horizon else datetime.max


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
