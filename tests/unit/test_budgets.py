"""Budgets and their status with a fixed clock: spent, remaining, projection, conversion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from expense_tracker.domain.budgets import judge, period_range, project

from .plan_app import plan_app

USD_RATES = {
    date(2026, 11, 1): {"USD": Decimal("1.25")},
    date(2026, 11, 15): {"USD": Decimal("1.6")},
}


def add(client: TestClient, amount: str, day: str, **fields: Any) -> None:
    body = {"amount": amount, "category": "Food", "date": day, "description": day, **fields}
    response = client.post("/api/expenses", json=body)
    assert response.status_code == 201, response.text


def status_items(client: TestClient, month: str) -> list[dict[str, Any]]:
    response = client.get("/api/budgets/status", params={"month": month})
    assert response.status_code == 200, response.text
    assert response.json()["month"] == month
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_food_budget_warns_on_the_20th_that_the_month_ends_at_520() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        client = app.user("rent@example.com")
        budget = client.post("/api/budgets", json={"category": "Food", "amount": "400"}).json()
        add(client, "346.67", "2026-11-10")
        [item] = status_items(client, "2026-11")
        assert item == {
            "budget_id": budget["id"],
            "category": "Food",
            "currency": "EUR",
            "period": "month",
            "limit": "400.00",
            "spent": "346.67",
            "remaining": "53.33",
            "projected": "520.00",  # 346.67 / 20 days * 30 days = 520.005, half-even
            "status": "at_risk",
            "missing": [],
        }
        alerts = client.get("/api/alerts").json()["items"]
        assert [a["kind"] for a in alerts] == ["budget_at_risk"]
        assert "520.00 EUR" in alerts[0]["message"]
        assert alerts[0]["refs"]["budget_id"] == budget["id"]


def test_budget_defaults_to_the_users_currency_and_a_month() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        response = app.user("d@example.com").post("/api/budgets", json={"amount": "100"})
        assert response.status_code == 201
        body = response.json()
        assert body["currency"] == "EUR" and body["period"] == "month"
        assert body["category"] is None and body["version"] == 1


def test_overall_budget_counts_every_category_and_over_when_spent_passes_the_limit() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        client = app.user("o@example.com")
        client.post("/api/budgets", json={"category": None, "amount": "100"})
        add(client, "60", "2026-11-02", category="Food")
        add(client, "50", "2026-11-03", category="Travel")
        [item] = status_items(client, "2026-11")
        assert (item["spent"], item["remaining"], item["status"]) == ("110.00", "-10.00", "over")
        kinds = [a["kind"] for a in client.get("/api/alerts").json()["items"]]
        assert kinds == ["budget_over"]


def test_past_month_projects_what_was_spent() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        client = app.user("p@example.com")
        client.post("/api/budgets", json={"category": "Food", "amount": "100"})
        add(client, "80", "2026-10-01")
        [item] = status_items(client, "2026-10")
        assert (item["spent"], item["projected"], item["status"]) == ("80.00", "80.00", "ok")


def test_yearly_budget_uses_the_year_containing_the_month() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        client = app.user("y@example.com")
        client.post("/api/budgets", json={"category": "Food", "amount": "1000", "period": "year"})
        add(client, "100", "2026-02-01")
        add(client, "100", "2026-11-01")
        add(client, "999", "2025-12-31")
        [item] = status_items(client, "2026-03")
        assert item["spent"] == "200.00"
        # Day 324 of 365: 200 * 365 / 324.
        assert item["projected"] == "225.31"


def test_spending_is_converted_at_each_expenses_date_and_unconvertible_is_listed() -> None:
    with plan_app(date(2026, 11, 30), rates=USD_RATES) as app:
        client = app.user("c@example.com")
        client.post("/api/budgets", json={"category": "Food", "amount": "100", "currency": "EUR"})
        add(client, "12.50", "2026-11-03", currency="USD")  # 1.25 USD/EUR -> 10 EUR
        add(client, "16.00", "2026-11-16", currency="USD")  # 1.6 USD/EUR -> 10 EUR
        add(client, "5.00", "2026-11-17")
        add(client, "1000", "2026-11-18", currency="JPY")  # no rate for JPY
        [item] = status_items(client, "2026-11")
        assert item["spent"] == "25.00"
        assert item["missing"] == [{"currency": "JPY", "count": 1, "amount": "1000"}]


def test_budget_changes_need_the_current_version_and_grow_it() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        client = app.user("v@example.com")
        budget = client.post("/api/budgets", json={"category": "Food", "amount": "100"}).json()
        path = f"/api/budgets/{budget['id']}"
        changed = client.patch(path, json={"amount": "150"}, headers={"If-Match": '"1"'})
        assert changed.status_code == 200 and changed.json()["version"] == 2
        assert changed.json()["amount"] == "150.00"
        stale = client.patch(path, json={"amount": "10"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        assert client.get(path).json()["amount"] == "150.00"


def test_other_users_budget_is_not_found() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        owner, other = app.user("a@example.com"), app.user("b@example.com")
        budget = owner.post("/api/budgets", json={"amount": "100"}).json()
        path = f"/api/budgets/{budget['id']}"
        assert other.get(path).status_code == 404
        assert other.patch(path, json={"amount": "1"}).status_code == 404
        assert other.delete(path).status_code == 404
        assert other.get("/api/budgets").json() == {"items": [], "next_cursor": None}
        assert owner.delete(path).status_code == 204
        assert owner.get(path).status_code == 404


def test_invalid_budget_fields_are_named() -> None:
    with plan_app(date(2026, 11, 20)) as app:
        client = app.user("i@example.com")
        response = client.post("/api/budgets", json={"amount": "1.234", "period": "week"})
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["errors"]}
        assert {"period"} <= fields or {"amount"} <= fields
        bad_month = client.get("/api/budgets/status", params={"month": "2026-13"})
        assert bad_month.status_code == 422
        assert bad_month.json()["errors"][0]["field"] == "month"


def test_projection_and_judgement_rules() -> None:
    start, end = period_range("month", date(2026, 2, 1))
    assert (start, end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert project(Decimal(10), start, end, date(2026, 2, 14)) == Decimal(20)
    assert project(Decimal(10), start, end, date(2026, 3, 1)) == Decimal(10)
    assert judge(Decimal(100), Decimal(100), Decimal(101)) == "at_risk"
    assert judge(Decimal(100), Decimal(100), Decimal(100)) == "ok"
    assert judge(Decimal(100), Decimal("100.01"), Decimal(200)) == "over"
