"""RRULE series over dates: month ends, leap years, fortnights, years, business days."""

from __future__ import annotations

from datetime import date

import pytest

from expense_tracker.domain.errors import Invalid
from expense_tracker.domain.money import parse_amount
from expense_tracker.domain.recurrence import (
    Series,
    next_occurrence,
    occurrence_id,
    occurrences,
    parse_rule,
)


def series(rule: str, start: date, until: date | None = None, done: date | None = None) -> Series:
    return Series(
        id="01SERIES",
        user_id="u",
        amount=parse_amount("900", "EUR"),
        currency="EUR",
        category="Housing",
        description="Rent",
        rule=rule,
        start=start,
        until=until,
        done_through=done,
    )


def days(rule: str, start: date, through: date, after: date | None = None) -> list[date]:
    return list(occurrences(series(rule, start), after, through))


def test_monthly_on_the_first_includes_the_start_day() -> None:
    found = days("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1), date(2026, 4, 1))
    assert found == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]


def test_bymonthday_31_skips_months_without_a_31st_as_rfc_5545_says() -> None:
    found = days("FREQ=MONTHLY;BYMONTHDAY=31", date(2026, 1, 1), date(2026, 6, 30))
    assert found == [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31)]


def test_bymonthday_minus_one_is_the_last_day_of_every_month_in_a_leap_year() -> None:
    found = days("FREQ=MONTHLY;BYMONTHDAY=-1", date(2024, 1, 1), date(2024, 4, 30))
    assert found == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]


def test_last_day_of_february_in_a_common_year_is_the_28th() -> None:
    found = days("FREQ=MONTHLY;BYMONTHDAY=-1", date(2026, 2, 1), date(2026, 2, 28))
    assert found == [date(2026, 2, 28)]


def test_yearly_on_february_29_occurs_only_in_leap_years() -> None:
    found = days("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", date(2024, 1, 1), date(2032, 12, 31))
    assert found == [date(2024, 2, 29), date(2028, 2, 29), date(2032, 2, 29)]


def test_yearly_repeats_the_start_date() -> None:
    found = days("FREQ=YEARLY", date(2025, 3, 15), date(2027, 3, 15))
    assert found == [date(2025, 3, 15), date(2026, 3, 15), date(2027, 3, 15)]


def test_every_two_weeks_keeps_the_weekday_across_a_year_end() -> None:
    found = days("FREQ=WEEKLY;INTERVAL=2", date(2026, 12, 11), date(2027, 1, 31))
    assert found == [date(2026, 12, 11), date(2026, 12, 25), date(2027, 1, 8), date(2027, 1, 22)]
    assert {d.weekday() for d in found} == {4}


def test_last_business_day_of_the_month() -> None:
    rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
    found = days(rule, date(2026, 1, 1), date(2026, 6, 30))
    # Jan 31 and May 31 2026 are weekend days; Feb 28 a Saturday.
    assert found == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 29),
        date(2026, 6, 30),
    ]


def test_occurrences_after_the_watermark_only() -> None:
    found = days("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1), date(2026, 4, 1), date(2026, 2, 1))
    assert found == [date(2026, 3, 1), date(2026, 4, 1)]


def test_until_ends_the_series() -> None:
    s = series("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1), until=date(2026, 2, 15))
    assert list(occurrences(s, None, date(2026, 12, 31))) == [date(2026, 1, 1), date(2026, 2, 1)]
    assert next_occurrence(s, date(2026, 3, 1)) is None


def test_next_occurrence_is_the_first_one_not_yet_made() -> None:
    s = series("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1), done=date(2026, 11, 1))
    assert next_occurrence(s, date(2026, 11, 20)) == date(2026, 12, 1)


def test_next_occurrence_of_a_series_not_started_yet_is_its_start() -> None:
    s = series("FREQ=WEEKLY", date(2027, 1, 4))
    assert next_occurrence(s, date(2026, 11, 20)) == date(2027, 1, 4)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",
        "FREQ=MINUTELY;INTERVAL=5",
        "FREQ=SECONDLY",
        "FREQ=DAILY;BYHOUR=9,17",
        "FREQ=WEEKLY;BYMINUTE=1,2",
        "not a rule",
        "FREQ=MONTHLY;BYMONTHDAY=40",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=-31",
        "FREQ=YEARLY;BYYEARDAY=400",
        "FREQ=YEARLY;BYMONTH=13",
        "FREQ=MONTHLY;BYDAY=6MO",
        "FREQ=YEARLY;BYYEARDAY=1;BYMONTH=2",
        "FREQ=MONTHLY;BYMONTHDAY=x",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=40",
        "",
        "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
        "FREQ=DAILY\nFREQ=WEEKLY",
    ],
)
def test_invalid_or_more_than_daily_rules_are_refused_naming_rule(rule: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_rule(rule, date(2026, 1, 1))
    assert [e.field for e in caught.value.errors] == ["rule"]


def test_occurrence_ids_are_one_per_series_and_day_and_alphanumeric() -> None:
    first = occurrence_id("01SERIES", date(2026, 11, 1))
    assert first == occurrence_id("01SERIES", date(2026, 11, 1))
    assert first != occurrence_id("01SERIES", date(2026, 12, 1))
    assert first.isalnum()
