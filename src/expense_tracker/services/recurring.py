"""Recurring series: create, list, get, change and delete; their occurrences are made by
recurring_runs (exactly once), their terms checked by recurring_terms, their records read and
written by recurring_records. The names other modules use from those are importable here too."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from ulid import ULID

from ..domain.errors import Conflict, FieldError, Invalid
from ..domain.money import parse_amount
from ..domain.recurrence import Series, next_occurrence
from ..ports import Clock, ExpenseStore, Profiles
from ..ports.plans import RECURRING, PlanStore
from .plan_records import Page, check_version, known_id, page_of
from .recurring_records import get_series as get_series
from .recurring_records import series_from_record, series_to_record
from .recurring_runs import AfterInsert as AfterInsert
from .recurring_runs import run_due as run_due
from .recurring_runs import run_recurring_job as run_recurring_job
from .recurring_runs import run_series
from .recurring_runs import trigger_recurring as trigger_recurring
from .recurring_terms import validated_series

MAX_SERIES = 200  # per user


def create_series(
    *,
    plans: PlanStore,
    store: ExpenseStore,
    profiles: Profiles,
    clock: Clock,
    user_id: str,
    raw: Mapping[str, Any],
) -> Series:
    if len(plans.records(user_id, RECURRING, MAX_SERIES)) >= MAX_SERIES:
        raise Conflict(f"At most {MAX_SERIES} recurring series per user")
    fields = {**raw, "start": raw.get("start") or clock.today().isoformat()}  # null: today
    blank = Series(
        str(ULID()), user_id, parse_amount("1", "EUR"), "EUR", "", "", "", clock.today(), None
    )
    series = validated_series(blank, fields, profiles.default_currency(user_id))
    plans.create([series_to_record(series)])
    return run_series(store=store, plans=plans, clock=clock, series=series)


def list_series(
    *, plans: PlanStore, user_id: str, limit: int = 50, cursor: str | None = None
) -> Page[Series]:
    return page_of(plans, user_id, RECURRING, series_from_record, limit, cursor)


def update_series(
    *,
    plans: PlanStore,
    store: ExpenseStore,
    clock: Clock,
    user_id: str,
    series_id: str,
    changes: Mapping[str, Any],
    if_match: int | None = None,
) -> Series:
    """Future occurrences only: everything due up to today is made with the old terms first,
    and the watermark moves to today so the new terms start tomorrow."""
    current = get_series(plans=plans, user_id=user_id, series_id=series_id)
    check_version(current.version, if_match, "series")
    for name in ("amount", "currency", "category", "rule", "start"):
        if name in changes and changes[name] is None:
            raise Invalid(FieldError(name, "must not be null"))
    merged = {**series_to_record(current).body, **changes}
    changed = validated_series(current, merged, current.currency)
    current = run_series(store=store, plans=plans, clock=clock, series=current)
    today = clock.today()
    done = max(d for d in (current.done_through, today) if d is not None)
    final = replace(changed, done_through=done, version=current.version + 1)
    plans.replace(series_to_record(final), expected_version=current.version)
    return final


def delete_series(*, plans: PlanStore, user_id: str, series_id: str) -> None:
    """Stops future occurrences; the expenses already made stay."""
    plans.delete(user_id, RECURRING, known_id(series_id, "series"))


def next_date(series: Series, clock: Clock) -> date | None:
    return next_occurrence(series, clock.today())
