"""Recurring series over the API with a fixed clock: validation, versions, future-only edits."""

from __future__ import annotations

from datetime import date

from expense_tracker.services.recurring import trigger_recurring

from .plan_app import plan_app

RENT = {
    "amount": "900",
    "category": "Housing",
    "description": "Rent",
    "rule": "FREQ=MONTHLY;BYMONTHDAY=1",
    "start": "2026-01-01",
}


def test_until_before_start_and_a_bad_rule_are_reported_together() -> None:
    with plan_app(date(2026, 3, 15)) as app:
        client = app.user("v@example.com")
        body = {**RENT, "until": "2025-12-31", "rule": "FREQ=SECONDLY"}
        answer = client.post("/api/recurring", json=body)
        assert answer.status_code == 422
        assert {e["field"] for e in answer.json()["errors"]} == {"until", "rule"}


def test_a_stale_if_match_is_refused_and_an_edit_applies_from_tomorrow() -> None:
    with plan_app(date(2026, 3, 15)) as app:
        client = app.user("e@example.com")
        series = client.post("/api/recurring", json=RENT).json()
        assert series["next"] == "2026-04-01"
        path = f"/api/recurring/{series['id']}"
        current = client.get(path).json()["version"]
        stale = client.patch(path, json={"amount": "1"}, headers={"If-Match": f'"{current - 1}"'})
        assert stale.status_code == 412
        edited = client.patch(path, json={"amount": "950"}, headers={"If-Match": f'"{current}"'})
        assert edited.status_code == 200
        assert (edited.json()["amount"], edited.json()["version"]) == ("950.00", current + 1)
        app.clock.moment = app.clock.moment.replace(month=4, day=2)
        trigger_recurring(jobs=app.container.jobs, clock=app.clock)
        made = client.get("/api/expenses", params={"category": "Housing"}).json()["items"]
        assert [(e["date"], e["amount"]) for e in made] == [
            ("2026-04-01", "950.00"),
            ("2026-03-01", "900.00"),
            ("2026-02-01", "900.00"),
            ("2026-01-01", "900.00"),
        ]


def test_a_series_past_its_until_has_no_next_date() -> None:
    with plan_app(date(2026, 3, 15)) as app:
        client = app.user("u@example.com")
        series = client.post("/api/recurring", json={**RENT, "until": "2026-02-28"}).json()
        assert series["next"] is None
        made = client.get("/api/expenses").json()["items"]
        assert [e["date"] for e in made] == ["2026-02-01", "2026-01-01"]
