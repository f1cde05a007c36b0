"""The expense resource over HTTP: create, get, patch, delete, idempotency, ownership."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.api import Api, User
from tests.support.checks import assert_problem

VALID = {"amount": "12.50", "currency": "EUR", "category": "Food", "description": "Lunch"}


def post(user: User, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return user.client.post("/api/expenses", json=body, headers=headers)


def all_ids(user: User) -> list[str]:
    response = user.client.get("/api/expenses", params={"limit": 200})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# --- create -------------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_expense(user: User) -> None:
    response = post(user, {**VALID, "date": "2026-11-24"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"].endswith(f"/api/expenses/{body['id']}")
    assert response.headers["etag"] == '"1"'
    assert body["amount"] == "12.50"
    assert body["currency"] == "EUR"
    assert body["category"] == "Food"
    assert body["description"] == "Lunch"
    assert body["date"] == "2026-11-24"
    assert body["receipt"] is None
    assert body["version"] == 1
    assert body["created_at"].endswith("Z") and body["created_at"] == body["updated_at"]


def test_created_expense_is_at_its_location(user: User) -> None:
    response = post(user, VALID)
    fetched = user.client.get(response.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == response.json()
    assert fetched.headers["etag"] == '"1"'


def test_date_defaults_to_today_in_utc(user: User) -> None:
    before = datetime.now(UTC).date().isoformat()
    created = user.add()
    after = datetime.now(UTC).date().isoformat()
    assert created["date"] in {before, after}


def test_currency_defaults_to_the_users_default(user: User) -> None:
    default = user.client.get("/api/me").json()["default_currency"]
    response = post(user, {"amount": "3.00", "category": "Food"})
    assert response.status_code == 201, response.text
    assert response.json()["currency"] == default


def test_a_user_changes_their_default_currency_and_new_expenses_use_it(
    user: User, other_user: User
) -> None:
    changed = user.client.patch("/api/me", json={"default_currency": "JPY"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["default_currency"] == "JPY"
    assert user.client.get("/api/me").json()["default_currency"] == "JPY"
    created = post(user, {"amount": "1200", "category": "Food"}).json()
    assert (created["currency"], created["amount"]) == ("JPY", "1200")
    assert other_user.client.get("/api/me").json()["default_currency"] != "JPY"


def test_an_unknown_default_currency_is_refused(user: User) -> None:
    before = user.client.get("/api/me").json()["default_currency"]
    assert_problem(
        user.client.patch("/api/me", json={"default_currency": "EURO"}), 422, "default_currency"
    )
    assert user.client.get("/api/me").json()["default_currency"] == before


@pytest.mark.parametrize(
    ("amount", "currency", "stored"),
    [
        (12.5, "USD", "12.50"),
        (7, "USD", "7.00"),
        (1200, "JPY", "1200"),
        ("1200", "JPY", "1200"),
        ("1.234", "KWD", "1.234"),
        (0.1, "KWD", "0.100"),
        ("0.01", "USD", "0.01"),
        ("1000000000000", "USD", "1000000000000.00"),
    ],
)
def test_exact_amounts_are_stored_to_the_currencys_digits(
    user: User, amount: object, currency: str, stored: str
) -> None:
    response = post(user, {**VALID, "amount": amount, "currency": currency})
    assert response.status_code == 201, response.text
    assert response.json()["amount"] == stored


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("12.345", "USD"),
        (12.345, "USD"),
        (0.1 + 0.2, "USD"),
        ("12.5", "JPY"),
        ("1.2345", "KWD"),
        ("0", "USD"),
        ("-5.00", "USD"),
        ("1000000000000.01", "USD"),
        ("1e3", "USD"),
        ("NaN", "USD"),
        ("Infinity", "USD"),
        ("12,50", "EUR"),
        ("", "EUR"),
        (True, "EUR"),
        (None, "EUR"),
        ({"value": 1}, "EUR"),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(
    user: User, amount: object, currency: str
) -> None:
    response = post(user, {**VALID, "amount": amount, "currency": currency})
    assert_problem(response, 422, "amount")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("currency", "XYZ"),
        ("currency", "eur"),
        ("currency", 978),
        ("category", ""),
        ("category", "   "),
        ("category", "x" * 65),
        ("description", "x" * 501),
        ("description", "bell\x07"),
        ("date", "2026-13-01"),
        ("date", "24/11/2026"),
        ("date", "2026-11-24T10:00:00Z"),
        ("date", 20261124),
    ],
)
def test_invalid_fields_get_422_naming_the_field(user: User, field: str, value: object) -> None:
    assert_problem(post(user, {**VALID, field: value}), 422, field)


@pytest.mark.parametrize("missing", ["amount", "category"])
def test_required_fields_are_required(user: User, missing: str) -> None:
    body = {k: v for k, v in VALID.items() if k != missing}
    assert_problem(post(user, body), 422, missing)


def test_category_and_description_limits_are_inclusive(user: User) -> None:
    created = user.add(category="c" * 64, description="d" * 500)
    assert created["category"] == "c" * 64
    assert created["description"] == "d" * 500


def test_category_and_description_are_trimmed(user: User) -> None:
    created = user.add(category="  Eating   out ", description="  Lunch\n")
    assert created["category"] == "Eating out"
    assert created["description"] == "Lunch"


def test_unknown_field_is_refused(user: User) -> None:
    assert_problem(post(user, {**VALID, "version": 7}), 422, "version")
    assert_problem(post(user, {**VALID, "receipt": {"size": 1}}), 422, "receipt")
    assert all_ids(user) == []


def test_a_user_id_in_the_body_is_ignored(user: User, other_user: User) -> None:
    response = post(user, {**VALID, "userId": other_user.user_id, "user_id": other_user.user_id})
    assert response.status_code == 201, response.text
    expense_id = response.json()["id"]
    assert all_ids(user) == [expense_id]
    assert all_ids(other_user) == []
    assert other_user.client.get(f"/api/expenses/{expense_id}").status_code == 404


# --- idempotency --------------------------------------------------------------------------


def test_idempotent_replay_returns_the_first_response_and_adds_nothing(user: User) -> None:
    key = str(uuid.uuid4())
    first = post(user, VALID, key)
    replay = post(user, VALID, key)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["location"] == first.headers["location"]
    assert all_ids(user) == [first.json()["id"]]


def test_same_idempotency_key_with_another_body_is_refused(user: User) -> None:
    key = str(uuid.uuid4())
    first = post(user, VALID, key)
    assert first.status_code == 201
    assert_problem(post(user, {**VALID, "amount": "99.00"}, key), 422, "Idempotency-Key")
    assert all_ids(user) == [first.json()["id"]]


def test_idempotency_keys_are_scoped_per_user(user: User, other_user: User) -> None:
    key = str(uuid.uuid4())
    mine = post(user, VALID, key)
    theirs = post(other_user, VALID, key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert all_ids(other_user) == [theirs.json()["id"]]


def test_overlong_idempotency_key_is_refused(user: User) -> None:
    response = post(user, VALID, "k" * 256)
    assert_problem(response, 422)
    assert all_ids(user) == []


# --- get, patch, delete -------------------------------------------------------------------


def test_unknown_expense_is_not_found(user: User) -> None:
    assert_problem(user.client.get("/api/expenses/01JDX3NOTAREALID0000000000"), 404)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"amount": "20.10"}, {"amount": "20.10"}),
        ({"amount": 20.1}, {"amount": "20.10"}),
        ({"currency": "USD"}, {"currency": "USD", "amount": "12.50"}),
        ({"currency": "KWD"}, {"currency": "KWD", "amount": "12.500"}),
        ({"category": "  Travel  "}, {"category": "Travel"}),
        ({"description": "Dinner"}, {"description": "Dinner"}),
        ({"description": ""}, {"description": ""}),
        ({"date": "2025-01-31"}, {"date": "2025-01-31"}),
        ({"amount": "1500", "currency": "JPY"}, {"amount": "1500", "currency": "JPY"}),
    ],
)
def test_patch_changes_each_field_and_bumps_the_version(
    user: User, changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    created = user.add(description="Lunch", date="2026-11-24")
    response = user.client.patch(f"/api/expenses/{created['id']}", json=changes)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in expected} == expected
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'
    untouched = {"amount", "currency", "category", "description", "date"} - expected.keys()
    assert {k: body[k] for k in untouched} == {k: created[k] for k in untouched}
    assert user.client.get(f"/api/expenses/{created['id']}").json() == body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"currency": "JPY"}, "amount"),  # 12.50 has no yen equivalent
        ({"amount": "1.234"}, "amount"),
        ({"amount": None}, "amount"),
        ({"category": None}, "category"),
        ({"category": ""}, "category"),
        ({"date": "yesterday"}, "date"),
        ({"currency": "ABC"}, "currency"),
        ({"owner": "someone"}, "owner"),
    ],
)
def test_invalid_patch_is_refused_and_changes_nothing(
    user: User, changes: dict[str, Any], field: str
) -> None:
    created = user.add()
    response = user.client.patch(f"/api/expenses/{created['id']}", json=changes)
    assert_problem(response, 422, field)
    assert user.client.get(f"/api/expenses/{created['id']}").json() == created


def test_patch_with_current_if_match_succeeds_and_stale_gets_412(user: User) -> None:
    created = user.add()
    path = f"/api/expenses/{created['id']}"
    first = user.client.patch(path, json={"amount": "1.00"}, headers={"If-Match": '"1"'})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    stale = user.client.patch(path, json={"amount": "2.00"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 412)
    assert user.client.get(path).json()["amount"] == "1.00"
    current = user.client.patch(
        path, json={"amount": "3.00"}, headers={"If-Match": first.headers["etag"]}
    )
    assert current.status_code == 200
    assert current.json()["version"] == 3


def test_patch_keeps_created_at_and_moves_updated_at(user: User) -> None:
    created = user.add()
    changed = user.client.patch(f"/api/expenses/{created['id']}", json={"description": "x"}).json()
    assert changed["created_at"] == created["created_at"]
    assert changed["updated_at"] >= created["updated_at"]


def test_delete_removes_the_expense(user: User) -> None:
    created = user.add()
    path = f"/api/expenses/{created['id']}"
    response = user.client.delete(path)
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(user.client.get(path), 404)
    assert_problem(user.client.delete(path), 404)
    assert all_ids(user) == []


# --- ownership and authentication ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"), [("GET", None), ("PATCH", {"amount": "1.00"}), ("DELETE", None)]
)
def test_other_users_expense_is_not_found(
    user: User, other_user: User, method: str, body: dict[str, str] | None
) -> None:
    created = user.add()
    path = f"/api/expenses/{created['id']}"
    response = other_user.client.request(method, path, json=body)
    missing = other_user.client.request(
        method, "/api/expenses/01JDX3NOTAREALID0000000000", json=body
    )
    assert_problem(response, 404)
    assert response.json() == missing.json()  # indistinguishable from a missing one
    assert user.client.get(path).json() == created


PROTECTED = [
    ("GET", "/api/me"),
    ("POST", "/api/expenses"),
    ("GET", "/api/expenses"),
    ("GET", "/api/expenses/01JDX3NOTAREALID0000000000"),
    ("PATCH", "/api/expenses/01JDX3NOTAREALID0000000000"),
    ("DELETE", "/api/expenses/01JDX3NOTAREALID0000000000"),
    ("GET", "/api/expenses/export"),
    ("POST", "/api/expenses/import"),
    ("GET", "/api/categories"),
    ("GET", "/api/analytics/summary"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer not-a-token", "Basic dTpw"])
def test_requests_without_a_valid_token_get_401(
    api: Api, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    with api.client() as anon:
        response = anon.request(method, path, headers=headers, json=VALID)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
