"""The daily recurring run's triggers: the local server's thread and the Lambda schedule."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from expense_tracker.adapters.local.scheduler import DailyTrigger
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.entrypoints import lambda_handler
from expense_tracker.services import recurring as svc

from .plan_app import plan_app

RENT = {
    "amount": "900",
    "category": "Housing",
    "rule": "FREQ=MONTHLY;BYMONTHDAY=1",
    "start": "2026-01-01",
}


def test_the_local_trigger_runs_at_start_and_stops_when_asked() -> None:
    ran = threading.Event()
    trigger = DailyTrigger(ran.set, every_seconds=3600)
    trigger.start()
    assert ran.wait(timeout=10)
    trigger.stop()
    assert not trigger._thread.is_alive()


def test_a_failing_run_does_not_end_the_schedule() -> None:
    calls: list[int] = []
    second = threading.Event()

    def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        second.set()

    trigger = DailyTrigger(flaky, every_seconds=0.01)
    trigger.start()
    assert second.wait(timeout=10)
    trigger.stop()


def test_the_scheduled_lambda_event_runs_every_users_due_series(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with plan_app(date(2026, 1, 15)) as app:
        client = app.user("sched@example.com")
        series = client.post("/api/recurring", json=RENT).json()
        app.clock.moment = app.clock.moment.replace(month=3)
        monkeypatch.setattr(lambda_handler, "app_container", lambda: app.container)
        answer = lambda_handler.handler(dict(lambda_handler.SCHEDULED_RECURRING), None)
        assert answer["status"] == "done"
        made = client.get("/api/expenses", params={"category": "Housing"}).json()["items"]
        assert [e["date"] for e in made] == ["2026-03-01", "2026-02-01", "2026-01-01"]
        assert {e["recurring_id"] for e in made} == {series["id"]}


def test_triggering_twice_adds_nothing_twice() -> None:
    with plan_app(date(2026, 3, 15)) as app:
        client = app.user("twice@example.com")
        client.post("/api/recurring", json=RENT)
        for _run in range(2):
            job = svc.trigger_recurring(jobs=app.container.jobs, clock=app.clock)
            assert job.status == "done"
        user_id = client.get("/api/me").json()["user_id"]
        made = list(app.container.store.iterate(user_id, ExpenseFilter()))
        assert len(made) == 3
