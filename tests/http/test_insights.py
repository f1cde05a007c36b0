"""GET /api/categories and GET /api/analytics/summary."""

from __future__ import annotations

from typing import Any

from tests.support.api import User
from tests.support.checks import assert_problem

DEFAULTS = {"Food", "Groceries", "Transport", "Housing", "Utilities", "Health", "Other"}


def categories(user: User) -> dict[str, int]:
    response = user.client.get("/api/categories")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    counts = {item["name"]: item["count"] for item in items}
    assert len(counts) == len(items), "a category is listed twice"
    return counts


def summary(user: User, **params: str) -> dict[str, Any]:
    response = user.client.get("/api/analytics/summary", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_new_user_has_the_default_categories_with_zero_counts(user: User) -> None:
    counts = categories(user)
    assert counts.keys() >= DEFAULTS
    assert set(counts.values()) == {0}


def test_categories_count_the_users_expenses(user: User) -> None:
    user.add(category="Food")
    user.add(category="Food")
    user.add(category="Climbing gym")
    counts = categories(user)
    assert counts["Food"] == 2
    assert counts["Climbing gym"] == 1
    assert counts["Transport"] == 0


def test_deleting_an_expense_updates_the_counts(user: User) -> None:
    created = user.add(category="Climbing gym")
    user.client.delete(f"/api/expenses/{created['id']}")
    assert categories(user).get("Climbing gym", 0) == 0


def test_other_users_categories_never_appear(user: User, other_user: User) -> None:
    other_user.add(category="Secret hobby")
    other_user.add(category="Food")
    counts = categories(user)
    assert "Secret hobby" not in counts
    assert counts["Food"] == 0


def test_empty_summary_has_empty_lists(user: User) -> None:
    body = summary(user)
    home = body.pop("home")
    assert body == {"from": None, "to": None, "totals": [], "by_category": [], "by_month": []}
    assert (home["amount"], home["missing"]) == ("0.00", [])


def test_totals_are_exact_decimals_per_currency(user: User) -> None:
    for amount in ["0.10", "0.20", "0.10", "0.20", "0.10", "0.20"]:
        user.add(amount=amount, currency="USD", date="2026-01-05")
    user.add(amount="1000000000000", currency="USD", date="2026-01-05")
    user.add(amount="500", currency="JPY", date="2026-01-05")
    user.add(amount="0.001", currency="KWD", date="2026-01-05")
    user.add(amount="0.002", currency="KWD", date="2026-01-05")
    totals = {t["currency"]: (t["amount"], t["count"]) for t in summary(user)["totals"]}
    assert totals == {
        "USD": ("1000000000000.90", 7),
        "JPY": ("500", 1),
        "KWD": ("0.003", 2),
    }


def test_by_category_and_by_month_never_mix_currencies(user: User) -> None:
    user.add(amount="10.00", currency="EUR", category="Food", date="2026-01-31")
    user.add(amount="5.25", currency="EUR", category="Food", date="2026-02-01")
    user.add(amount="7.00", currency="USD", category="Food", date="2026-02-10")
    user.add(amount="1.00", currency="EUR", category="Travel", date="2026-02-10")
    body = summary(user)
    by_category = {
        (t["category"], t["currency"]): (t["amount"], t["count"]) for t in body["by_category"]
    }
    assert by_category == {
        ("Food", "EUR"): ("15.25", 2),
        ("Food", "USD"): ("7.00", 1),
        ("Travel", "EUR"): ("1.00", 1),
    }
    by_month = {(t["month"], t["currency"]): (t["amount"], t["count"]) for t in body["by_month"]}
    assert by_month == {
        ("2026-01", "EUR"): ("10.00", 1),
        ("2026-02", "EUR"): ("6.25", 2),
        ("2026-02", "USD"): ("7.00", 1),
    }
    assert len(body["totals"]) == 2


def test_summary_period_is_inclusive(user: User) -> None:
    for day, amount in [("2026-01-31", "1.00"), ("2026-02-01", "2.00"), ("2026-02-28", "4.00")]:
        user.add(amount=amount, currency="EUR", date=day)
    user.add(amount="8.00", currency="EUR", date="2026-03-01")
    body = summary(user, **{"from": "2026-02-01", "to": "2026-02-28"})
    assert body["from"] == "2026-02-01"
    assert body["to"] == "2026-02-28"
    assert body["totals"] == [{"currency": "EUR", "amount": "6.00", "count": 2}]
    assert summary(user, **{"from": "2026-03-01"})["totals"][0]["amount"] == "8.00"
    assert summary(user, to="2026-01-31")["totals"][0]["amount"] == "1.00"


def test_summary_follows_patches_and_deletes(user: User) -> None:
    kept = user.add(amount="1.00", currency="EUR")
    gone = user.add(amount="2.00", currency="EUR")
    user.client.patch(f"/api/expenses/{kept['id']}", json={"amount": "1.50"})
    user.client.delete(f"/api/expenses/{gone['id']}")
    assert summary(user)["totals"] == [{"currency": "EUR", "amount": "1.50", "count": 1}]


def test_summary_with_from_after_to_is_refused(user: User) -> None:
    response = user.client.get(
        "/api/analytics/summary", params={"from": "2026-02-02", "to": "2026-02-01"}
    )
    assert_problem(response, 422, "from")


def test_other_users_expenses_never_count(user: User, other_user: User) -> None:
    user.add(amount="1.00", currency="EUR", category="Food", date="2026-04-01")
    other_user.add(amount="1000.00", currency="EUR", category="Food", date="2026-04-01")
    other_user.add(amount="3.00", currency="GBP", category="Secret", date="2026-04-01")
    user.client.patch("/api/me", json={"home_currency": "EUR"})
    body = summary(user)
    assert body["totals"] == [{"currency": "EUR", "amount": "1.00", "count": 1}]
    assert body["by_category"] == [
        {"category": "Food", "currency": "EUR", "amount": "1.00", "count": 1, "home_amount": "1.00"}
    ]
    assert body["by_month"] == [
        {"month": "2026-04", "currency": "EUR", "amount": "1.00", "count": 1, "home_amount": "1.00"}
    ]
    assert body["home"] == {"currency": "EUR", "amount": "1.00", "missing": []}
