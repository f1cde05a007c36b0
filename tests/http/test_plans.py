"""Budgets, recurring expenses and alerts over HTTP, on the local server and on the AWS
stand-ins (DynamoDB Local behind the Lambda handler)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.support.api import User

RENT = {
    "amount": "900",
    "currency": "EUR",
    "category": "Housing",
    "description": "Rent",
    "rule": "FREQ=MONTHLY;BYMONTHDAY=1",
}


def today() -> date:
    return datetime.now(UTC).date()


def months_ago(count: int) -> date:
    first = today().replace(day=1)
    month = first.month - 1 - count
    return first.replace(year=first.year + month // 12, month=month % 12 + 1)


def test_budget_lifecycle_with_versions(user: User) -> None:
    created = user.client.post(
        "/api/budgets", json={"category": "Food", "amount": "400", "currency": "EUR"}
    )
    assert created.status_code == 201, created.text
    budget = created.json()
    assert set(budget) == {"id", "category", "amount", "currency", "period", "version"}
    assert (budget["amount"], budget["period"], budget["version"]) == ("400.00", "month", 1)
    path = f"/api/budgets/{budget['id']}"
    assert user.client.get(path).json() == budget
    listed = user.client.get("/api/budgets").json()
    assert listed == {"items": [budget], "next_cursor": None}
    changed = user.client.patch(path, json={"period": "year"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = user.client.patch(path, json={"amount": "1"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert user.client.delete(path).status_code == 204
    assert user.client.get(path).status_code == 404


def test_budget_status_reports_spent_and_projection_for_the_month(user: User) -> None:
    user.client.post("/api/budgets", json={"category": "Food", "amount": "100", "currency": "EUR"})
    user.add(amount="30.00", currency="EUR", category="Food", date=today().isoformat())
    month = f"{today():%Y-%m}"
    answer = user.client.get("/api/budgets/status", params={"month": month})
    assert answer.status_code == 200
    [item] = answer.json()["items"]
    assert answer.json()["month"] == month
    assert (item["limit"], item["spent"], item["remaining"]) == ("100.00", "30.00", "70.00")
    assert item["status"] in {"ok", "at_risk"}
    assert float(item["projected"]) >= 30


def test_unknown_fields_and_bad_values_are_refused(user: User) -> None:
    extra = user.client.post("/api/budgets", json={"amount": "1", "owner": "x"})
    assert extra.status_code == 422
    bad_period = user.client.post("/api/budgets", json={"amount": "1", "period": "week"})
    assert bad_period.status_code == 422


def test_other_users_budget_series_and_alerts_are_not_found(user: User, other_user: User) -> None:
    budget = user.client.post("/api/budgets", json={"amount": "10"}).json()
    series = user.client.post("/api/recurring", json=RENT).json()
    for path in (f"/api/budgets/{budget['id']}", f"/api/recurring/{series['id']}"):
        assert other_user.client.get(path).status_code == 404
        assert other_user.client.patch(path, json={"amount": "2"}).status_code == 404
        assert other_user.client.delete(path).status_code == 404
    user.add(amount="5.00", description="Coffee", date=today().isoformat())
    user.add(amount="5.00", description="coffee", date=today().isoformat())
    # The budget may have raised its own alerts too (the rent series runs in the background).
    items = user.client.get("/api/alerts").json()["items"]
    [alert] = [a for a in items if a["kind"] == "possible_duplicate"]
    assert other_user.client.post(f"/api/alerts/{alert['id']}/dismiss").status_code == 404
    assert user.client.post(f"/api/alerts/{alert['id']}/dismiss").status_code == 204
    left = user.client.get("/api/alerts").json()["items"]
    assert alert["id"] not in {a["id"] for a in left}


def test_a_recurring_series_adds_every_occurrence_up_to_today(user: User) -> None:
    start = months_ago(2)
    created = user.client.post("/api/recurring", json={**RENT, "start": start.isoformat()})
    assert created.status_code == 201, created.text
    series = created.json()
    assert set(series) == {
        "id", "amount", "currency", "category", "description", "rule", "start", "until",
        "next", "version",
    }  # fmt: skip
    assert series["next"] == months_ago(-1).isoformat()
    made = user.client.get("/api/expenses", params={"category": "Housing"}).json()["items"]
    assert [e["date"] for e in made] == [months_ago(n).isoformat() for n in (0, 1, 2)]
    assert {e["recurring_id"] for e in made} == {series["id"]}
    listed = user.client.get("/api/recurring").json()
    assert [s["id"] for s in listed["items"]] == [series["id"]]
    path = f"/api/recurring/{series['id']}"
    assert user.client.delete(path).status_code == 204
    assert (
        len(user.client.get("/api/expenses", params={"category": "Housing"}).json()["items"]) == 3
    )


def test_rules_that_repeat_within_a_day_are_refused_naming_rule(user: User) -> None:
    for rule in ("FREQ=HOURLY", "FREQ=DAILY;BYHOUR=8,20", "bogus"):
        answer = user.client.post("/api/recurring", json={**RENT, "rule": rule})
        assert answer.status_code == 422
        assert [e["field"] for e in answer.json()["errors"]] == ["rule"]


def test_a_series_with_a_null_start_starts_today(user: User) -> None:
    # The schema allows null (the default); it must mean "today", not a bad date.
    created = user.client.post("/api/recurring", json={**RENT, "start": None, "until": None})
    assert created.status_code == 201, created.text
    assert created.json()["start"] == today().isoformat()


def test_expenses_added_by_hand_have_no_recurring_id(user: User) -> None:
    assert user.add()["recurring_id"] is None
