"""Recurring occurrences exist exactly once, whatever crashes in the middle of a run, on every
backend (a crash is simulated by raising right after an insert, before the bookkeeping)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.memory import MemoryProfiles
from expense_tracker.domain.expense import Expense, ExpenseFilter
from expense_tracker.domain.recurrence import Series
from expense_tracker.services import recurring as svc

from .factories import new_user
from .plans_backend import PlanBackend

RENT = {
    "amount": "900",
    "currency": "EUR",
    "category": "Housing",
    "description": "Rent",
    "rule": "FREQ=MONTHLY;BYMONTHDAY=1",
    "start": "2026-01-01",
}


class Killed(Exception):
    """Stands for the process dying between the insert and the watermark write."""


def clock_at(day: date) -> FixedClock:
    return FixedClock(datetime(day.year, day.month, day.day, 6, tzinfo=UTC))


def create(backend: PlanBackend, clock: FixedClock, user: str, **fields: object) -> Series:
    return svc.create_series(
        plans=backend.plans,
        store=backend.store,
        profiles=MemoryProfiles("EUR"),
        clock=clock,
        user_id=user,
        raw={**RENT, **fields},
    )


def occurrences_of(backend: PlanBackend, user: str) -> list[Expense]:
    return sorted(backend.store.iterate(user, ExpenseFilter()), key=lambda e: e.date)


def kill_after(inserts: int) -> svc.AfterInsert:
    seen: list[Expense] = []

    def hook(expense: Expense) -> None:
        seen.append(expense)
        if len(seen) == inserts:
            raise Killed(expense.id)

    return hook


def test_every_occurrence_up_to_today_exists_once_with_its_series(
    plan_backend: PlanBackend,
) -> None:
    user = new_user()
    series = create(plan_backend, clock_at(date(2026, 3, 15)), user)
    made = occurrences_of(plan_backend, user)
    assert [e.date for e in made] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert {e.recurring_id for e in made} == {series.id}
    assert all(str(e.amount) == "900.00" and e.description == "Rent" for e in made)


@pytest.mark.parametrize("crash_at", [1, 2, 3])
def test_a_run_killed_after_an_insert_then_rerun_adds_each_occurrence_once(
    plan_backend: PlanBackend, crash_at: int
) -> None:
    user, clock = new_user(), clock_at(date(2025, 12, 31))
    series = create(plan_backend, clock, user)  # starts tomorrow: nothing yet
    clock.moment = datetime(2026, 3, 15, tzinfo=UTC)
    with pytest.raises(Killed):
        svc.run_due(
            store=plan_backend.store,
            plans=plan_backend.plans,
            clock=clock,
            user_id=user,
            after_insert=kill_after(crash_at),
        )
    assert len(occurrences_of(plan_backend, user)) == 3  # the batch went in; no bookkeeping
    stored = svc.get_series(plans=plan_backend.plans, user_id=user, series_id=series.id)
    assert stored.done_through is None
    for _rerun in range(2):
        svc.run_due(store=plan_backend.store, plans=plan_backend.plans, clock=clock, user_id=user)
    made = occurrences_of(plan_backend, user)
    assert [e.date for e in made] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    stored = svc.get_series(plans=plan_backend.plans, user_id=user, series_id=series.id)
    assert stored.done_through == date(2026, 3, 1)


def test_the_scheduler_catches_up_after_a_month_off(plan_backend: PlanBackend) -> None:
    user, clock = new_user(), clock_at(date(2026, 1, 1))
    create(plan_backend, clock, user, rule="FREQ=WEEKLY;INTERVAL=2")
    clock.advance(timedelta(days=35))  # the server was off from Jan 1 to Feb 5
    svc.run_due(store=plan_backend.store, plans=plan_backend.plans, clock=clock)
    days = [e.date for e in occurrences_of(plan_backend, user)]
    assert days == [date(2026, 1, 1), date(2026, 1, 15), date(2026, 1, 29)]


def test_editing_a_series_changes_future_occurrences_only(plan_backend: PlanBackend) -> None:
    user, clock = new_user(), clock_at(date(2026, 2, 10))
    series = create(plan_backend, clock, user)
    svc.update_series(
        plans=plan_backend.plans,
        store=plan_backend.store,
        clock=clock,
        user_id=user,
        series_id=series.id,
        changes={"amount": "950"},
    )
    clock.moment = datetime(2026, 4, 2, tzinfo=UTC)
    svc.run_due(store=plan_backend.store, plans=plan_backend.plans, clock=clock, user_id=user)
    amounts = [(e.date.month, str(e.amount)) for e in occurrences_of(plan_backend, user)]
    assert amounts == [(1, "900.00"), (2, "900.00"), (3, "950.00"), (4, "950.00")]


def test_deleting_a_series_stops_it_and_keeps_its_past(plan_backend: PlanBackend) -> None:
    user, clock = new_user(), clock_at(date(2026, 2, 10))
    series = create(plan_backend, clock, user)
    svc.delete_series(plans=plan_backend.plans, user_id=user, series_id=series.id)
    clock.moment = datetime(2026, 6, 1, tzinfo=UTC)
    svc.run_due(store=plan_backend.store, plans=plan_backend.plans, clock=clock)
    assert [e.date.month for e in occurrences_of(plan_backend, user)] == [1, 2]
