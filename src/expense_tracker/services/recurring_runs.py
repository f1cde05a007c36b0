"""Recurring series' catch-up: materialise every occurrence due up to today, for one series,
one user or everyone, and queue that as the "recurring" job.

Exactly once: an occurrence's expense id is derived from (series, date) (domain.recurrence), so
a second insert is a Conflict and adds nothing; the series' watermark `done_through` is moved
after the inserts. A run that crashes between the two redoes the inserts (all conflicts) and
then moves the watermark: however often it runs or crashes, each occurrence exists once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import date
from itertools import islice

from ..domain.errors import Conflict, NotFound, PreconditionFailed
from ..domain.expense import Expense
from ..domain.recurrence import Series, occurrence_id, occurrences
from ..ports import Clock, ExpenseStore
from ..ports.jobs import Job, JobData, JobReporter, Jobs
from ..ports.plans import RECURRING, PlanStore
from .jobs import new_job
from .recurring_records import get_series, series_from_record, series_to_record

WATERMARK_EVERY = 50  # occurrences per insert batch, each followed by a watermark write
CATCH_UP_MAX = 5_000  # occurrences per series per run (a daily series 13 years behind)
OWNERS_PAGE = 500

AfterInsert = Callable[[Expense], None]  # tests: a hook to simulate a crash after an insert


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
