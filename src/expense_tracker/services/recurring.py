"""Recurring series: create, list, get, change, delete, and materialise their occurrences.

Exactly once: an occurrence's expense id is derived from (series, date) (domain.recurrence), so
a second insert is a Conflict and adds nothing; the series' watermark `done_through` is moved
after the inserts. A run that crashes between the two redoes the inserts (all conflicts) and
then moves the watermark: however often it runs or crashes, each occurrence exists once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import replace
from datetime import date
from itertools import islice
from typing import Any

from ulid import ULID

from ..domain.errors import Conflict, FieldError, Invalid, NotFound, PreconditionFailed
from ..domain.expense import Expense, RawExpense, clean_date, validate_draft
from ..domain.money import format_amount, parse_amount
from ..domain.recurrence import Series, next_occurrence, occurrence_id, occurrences, parse_rule
from ..ports import Clock, ExpenseStore, Profiles
from ..ports.jobs import Job, JobData, JobReporter, Jobs
from ..ports.plans import RECURRING, PlanRecord, PlanStore
from .jobs import new_job
from .plan_records import Page, check_version, known_id, page_of

MAX_SERIES = 200  # per user
WATERMARK_EVERY = 50  # occurrences per insert batch, each followed by a watermark write
CATCH_UP_MAX = 5_000  # occurrences per series per run (a daily series 13 years behind)
OWNERS_PAGE = 500
FIELDS = ("amount", "currency", "category", "description", "rule", "start", "until")

AfterInsert = Callable[[Expense], None]  # tests: a hook to simulate a crash after an insert


def series_from_record(record: PlanRecord) -> Series:
    b = record.body
    done = b.get("done_through")
    return Series(
        id=record.id,
        user_id=record.user_id,
        amount=parse_amount(str(b["amount"]), str(b["currency"])),
        currency=str(b["currency"]),
        category=str(b["category"]),
        description=str(b["description"]),
        rule=str(b["rule"]),
        start=date.fromisoformat(str(b["start"])),
        until=date.fromisoformat(str(b["until"])) if b.get("until") else None,
        done_through=date.fromisoformat(str(done)) if done else None,
        version=record.version,
    )


def series_to_record(series: Series) -> PlanRecord:
    body = {
        "amount": format_amount(series.amount, series.currency),
        "currency": series.currency,
        "category": series.category,
        "description": series.description,
        "rule": series.rule,
        "start": series.start.isoformat(),
        "until": series.until.isoformat() if series.until else None,
        "done_through": series.done_through.isoformat() if series.done_through else None,
    }
    return PlanRecord(series.user_id, RECURRING, series.id, body, series.version)


def _schedule(
    raw: Mapping[str, Any], start: date, errors: list[FieldError]
) -> tuple[date, date | None]:
    """`start`, `until` and `rule`, checked together (the rule is anchored at the start)."""
    until = None
    try:
        start = clean_date(raw.get("start"), "start")
        until = clean_date(raw["until"], "until") if raw.get("until") is not None else None
        if until is not None and until < start:
            errors.append(FieldError("until", "must not be before start"))
    except Invalid as exc:
        errors.extend(exc.errors)
    try:
        parse_rule(raw.get("rule"), start)
    except Invalid as exc:
        errors.extend(exc.errors)
    return start, until


def _validated(current: Series, raw: Mapping[str, Any], default_currency: str) -> Series:
    errors: list[FieldError] = []
    draft = None
    try:
        draft = validate_draft(
            RawExpense(
                raw.get("amount"),
                raw.get("currency"),
                raw.get("category"),
                raw.get("description"),
                current.start,
            ),
            default_currency=default_currency,
            today=current.start,
        )
    except Invalid as exc:
        errors.extend(exc.errors)
    start, until = _schedule(raw, current.start, errors)
    if errors or draft is None:
        raise Invalid(errors)
    return replace(
        current,
        amount=draft.amount,
        currency=draft.currency,
        category=draft.category,
        description=draft.description,
        rule=str(raw["rule"]).strip(),
        start=start,
        until=until,
    )


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
    series = _validated(blank, fields, profiles.default_currency(user_id))
    plans.create([series_to_record(series)])
    return run_series(store=store, plans=plans, clock=clock, series=series)


def list_series(
    *, plans: PlanStore, user_id: str, limit: int = 50, cursor: str | None = None
) -> Page[Series]:
    return page_of(plans, user_id, RECURRING, series_from_record, limit, cursor)


def get_series(*, plans: PlanStore, user_id: str, series_id: str) -> Series:
    return series_from_record(plans.get(user_id, RECURRING, known_id(series_id, "series")))


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
    changed = _validated(current, merged, current.currency)
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


def occurrence_expense(series: Series, day: date, clock: Clock) -> Expense:
    now = clock.now()
    return Expense(
        id=occurrence_id(series.id, day),
        user_id=series.user_id,
        amount=series.amount,
        currency=series.currency,
        category=series.category,
        description=series.description,
        date=day,
        created_at=now,
        updated_at=now,
        recurring_id=series.id,
    )


def run_series(
    *,
    store: ExpenseStore,
    plans: PlanStore,
    clock: Clock,
    series: Series,
    after_insert: AfterInsert | None = None,
) -> Series:
    """Insert every occurrence after the watermark up to today, a batch at a time, moving the
    watermark after each batch."""
    due = list(islice(occurrences(series, series.done_through, clock.today()), CATCH_UP_MAX))
    for first in range(0, len(due), WATERMARK_EVERY):
        batch = [occurrence_expense(series, d, clock) for d in due[first : first + WATERMARK_EVERY]]
        _insert_once(store, batch)
        if after_insert is not None:
            for expense in batch:
                after_insert(expense)
        series = _advance(plans, series, batch[-1].date)
    return series


def _insert_once(store: ExpenseStore, batch: list[Expense]) -> None:
    """One transaction for the batch (one commit, not one per occurrence); when an earlier,
    interrupted run already made some of them, one by one, skipping those."""
    try:
        store.add_many(batch)
    except Conflict:
        for expense in batch:
            with suppress(Conflict):
                store.add(expense)


def _advance(plans: PlanStore, series: Series, day: date) -> Series:
    """Move the watermark to `day`; an edit made meanwhile is kept (re-read and retried)."""
    for _attempt in range(5):
        moved = replace(series, done_through=day, version=series.version + 1)
        try:
            plans.replace(series_to_record(moved), expected_version=series.version)
            return moved
        except PreconditionFailed:
            series = get_series(plans=plans, user_id=series.user_id, series_id=series.id)
            if series.done_through and series.done_through >= day:
                return series
        except NotFound:
            return series  # deleted meanwhile: its past occurrences stay
    raise PreconditionFailed("The series keeps changing; try again")


def run_due(
    *,
    store: ExpenseStore,
    plans: PlanStore,
    clock: Clock,
    user_id: str | None = None,
    after_insert: AfterInsert | None = None,
) -> int:
    """Every series of one user, or of every user; the number of series looked at."""
    seen = 0
    for owner in [user_id] if user_id else _all_owners(plans):
        after: str | None = None
        while records := plans.records(owner, RECURRING, 200, after):
            for record in records:
                run_series(
                    store=store,
                    plans=plans,
                    clock=clock,
                    series=series_from_record(record),
                    after_insert=after_insert,
                )
                seen += 1
            after = records[-1].id
    return seen


def run_recurring_job(
    job: Job, reporter: JobReporter, *, store: ExpenseStore, plans: PlanStore, clock: Clock
) -> JobData:
    """The "recurring" job: due occurrences of one user (params.user_id) or of everyone."""
    del reporter  # one short pass; idempotent, so a retry just finishes it
    user_id = job.params.get("user_id")
    seen = run_due(store=store, plans=plans, clock=clock, user_id=str(user_id) if user_id else None)
    return {"series": seen}


def _all_owners(plans: PlanStore) -> list[str]:
    users: list[str] = []
    while page := plans.owners(RECURRING, OWNERS_PAGE, users[-1] if users else None):
        users.extend(page)
    return users


SCHEDULER = "scheduler"  # the owner of the system-wide daily job


def trigger_recurring(*, jobs: Jobs, clock: Clock, user_id: str | None = None) -> Job:
    """Queue a "recurring" job: every user's due series (the daily run), or one user's."""
    params = {"user_id": user_id} if user_id else {}
    job = new_job(
        user_id=user_id or SCHEDULER,
        kind="recurring",
        params=params,
        status="queued",
        now=clock.now(),
    )
    return jobs.create(job)
