"""GET /api/rates, the home currency and locale on /api/me, and the summary in the home
currency with the list's filters (on the local server and on AWS)."""

from __future__ import annotations

from typing import Any

from tests.support.api import User
from tests.support.checks import assert_problem


def get(user: User, path: str, **params: str) -> dict[str, Any]:
    response = user.client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_rates_of_a_holiday_are_the_last_business_days(user: User) -> None:
    body = get(user, "/api/rates", base="EUR", date="2024-12-25")
    assert body["base"] == "EUR"
    assert (body["date"], body["as_of"]) == ("2024-12-25", "2024-12-24")
    assert "European Central Bank" in body["source"] or "ECB" in body["source"]
    assert body["rates"]["USD"] == "1.0395"
    assert body["rates"]["GBP"] == "0.82805"
    assert "EUR" not in body["rates"]


def test_rates_default_to_euro_and_today(user: User) -> None:
    body = get(user, "/api/rates")
    assert body["base"] == "EUR"
    assert body["as_of"] <= body["date"]
    assert all(isinstance(v, str) for v in body["rates"].values())


def test_cross_rates_go_through_the_euro(user: User) -> None:
    body = get(user, "/api/rates", base="USD", date="2024-12-24")
    assert body["rates"]["EUR"] == "0.962000962"
    assert body["rates"]["GBP"] == "0.7965848966"


def test_rates_refuse_an_unknown_base_and_a_day_before_the_first(user: User) -> None:
    assert_problem(user.client.get("/api/rates", params={"base": "ARS"}), 422, "base")
    assert_problem(user.client.get("/api/rates", params={"base": "euro"}), 422, "base")
    assert_problem(user.client.get("/api/rates", params={"date": "1998-12-31"}), 422, "date")
    assert_problem(user.client.get("/api/rates", params={"date": "31.12.2024"}), 422, "date")


def test_home_currency_follows_the_default_until_set(user: User) -> None:
    me = get(user, "/api/me")
    assert me["home_currency"] == me["default_currency"]
    assert me["locale"] == "en"
    changed = user.client.patch("/api/me", json={"home_currency": "GBP", "locale": "de-DE"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["home_currency"], changed.json()["locale"]) == ("GBP", "de-DE")
    user.client.patch("/api/me", json={"default_currency": "JPY"})
    me = get(user, "/api/me")
    assert (me["default_currency"], me["home_currency"], me["locale"]) == ("JPY", "GBP", "de-DE")


def test_bad_settings_are_refused_naming_the_field(user: User) -> None:
    patch = user.client.patch
    assert_problem(patch("/api/me", json={"home_currency": "EURO"}), 422, "home_currency")
    assert_problem(patch("/api/me", json={"locale": "not a locale"}), 422, "locale")
    assert_problem(patch("/api/me", json={"locale": "de_DE"}), 422, "locale")
    assert_problem(patch("/api/me", json={"theme": "dark"}), 422)
    assert get(user, "/api/me")["locale"] == "en"


def test_summary_in_the_home_currency_follows_the_filters(user: User) -> None:
    user.client.patch("/api/me", json={"home_currency": "EUR"})
    user.add(amount="10.00", currency="EUR", category="Food", date="2024-12-24")
    user.add(amount="20.79", currency="USD", category="Food", date="2024-12-25")  # 20.00 EUR
    user.add(
        amount="100.00", currency="ARS", category="Travel", date="2024-12-24", description="taxi"
    )
    body = get(user, "/api/analytics/summary", to="2024-12-31")
    assert body["home"]["currency"] == "EUR"
    assert body["home"]["amount"] == "30.00"  # 10.00 + 20.79 / 1.0395 (24 Dec's rate)
    assert body["home"]["missing"] == [{"currency": "ARS", "count": 1}]
    rows = {(r["category"], r["currency"]): r for r in body["by_category"]}
    assert rows[("Food", "USD")]["home_amount"] == "20.00"
    assert rows[("Travel", "ARS")]["home_amount"] is None
    months = {(r["month"], r["currency"]): r["home_amount"] for r in body["by_month"]}
    assert months[("2024-12", "EUR")] == "10.00"

    food = get(user, "/api/analytics/summary", category="food")
    assert [t["currency"] for t in food["totals"]] == ["EUR", "USD"]
    assert food["home"]["missing"] == []
    taxi = get(user, "/api/analytics/summary", q="TAXI")
    assert [(t["currency"], t["count"]) for t in taxi["totals"]] == [("ARS", 1)]
    assert taxi["home"]["amount"] == "0.00"
