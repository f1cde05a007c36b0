"""The account page's routes on both backends (the local identity provider; Cognito on moto):
change the password, sign out everywhere, delete the account with everything in it."""

from __future__ import annotations

import sqlite3
from typing import Any

import boto3
import httpx
import pytest

from tests.http.test_quota import FILE
from tests.http.test_receipts import attach
from tests.support.api import Api, User
from tests.support.checks import assert_problem

NEW_PASSWORD = "a different horse, a different staple"


def log_in(api: Api, email: str, password: str) -> httpx.Response:
    with api.client() as anonymous:
        return anonymous.post("/api/auth/login", json={"email": email, "password": password})


def refresh(api: Api, token: str) -> httpx.Response:
    with api.client() as anonymous:
        return anonymous.post("/api/auth/refresh", json={"refresh_token": token})


def change(user: User, current: str, new: str) -> httpx.Response:
    body = {"current_password": current, "new_password": new}
    return user.client.post("/api/auth/password", json=body)


def test_changing_the_password_needs_the_current_one(user: User) -> None:
    body = assert_problem(change(user, "not my password at all", NEW_PASSWORD), 401)
    assert "password" in body["detail"].lower()


@pytest.mark.parametrize("weak", ["short", "password123", "aaaaaaaaaaaaaaaa"])
def test_a_weak_new_password_is_refused_naming_it(user: User, weak: str) -> None:
    assert_problem(change(user, user.password, weak), 422, field="new_password")


def test_after_a_change_the_new_password_signs_in_and_the_old_does_not(
    api: Api, user: User
) -> None:
    assert change(user, user.password, NEW_PASSWORD).status_code == 204
    assert_problem(log_in(api, user.email, user.password), 401)
    assert log_in(api, user.email, NEW_PASSWORD).status_code == 200
    assert_problem(refresh(api, user.refresh_token), 401)  # the sessions before it ended


def test_sign_out_everywhere_revokes_every_refresh_token(api: Api, user: User) -> None:
    other_device: dict[str, Any] = log_in(api, user.email, user.password).json()
    assert user.client.post("/api/auth/logout-all").status_code == 204
    assert_problem(refresh(api, user.refresh_token), 401)
    assert_problem(refresh(api, other_device["refresh_token"]), 401)
    assert log_in(api, user.email, user.password).status_code == 200  # signing in still works


def test_deleting_the_account_needs_the_password(user: User) -> None:
    wrong = user.client.request("DELETE", "/api/me", json={"password": "not it, not at all"})
    assert_problem(wrong, 401)
    assert user.client.get("/api/me").status_code == 200


def test_deleting_the_account_removes_it_and_its_data(
    api: Api, user: User, request: pytest.FixtureRequest
) -> None:
    attach(api, user, FILE)
    budget = {"category": "Food", "currency": "EUR", "amount": "100.00", "period": "month"}
    assert user.client.post("/api/budgets", json=budget).status_code == 201
    answer = user.client.request("DELETE", "/api/me", json={"password": user.password})
    assert answer.status_code == 204, answer.text
    assert_problem(log_in(api, user.email, user.password), 401)
    assert_problem(refresh(api, user.refresh_token), 401)
    assert stored_for(api, request, user.user_id) == []


def stored_for(api: Api, request: pytest.FixtureRequest, user_id: str) -> list[str]:
    """What is left of the user: database rows or items, and files or objects."""
    if api.backend == "local":
        data = request.getfixturevalue("local_server").data_dir
        folder = data / "receipts/objects/users" / user_id  # empty folders: swept later
        left = [p.as_posix() for p in folder.rglob("*") if p.is_file()]
        with sqlite3.connect(data / "expense-tracker.sqlite3") as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = "
                                               "'table' AND sql LIKE '%user_id%'")]  # fmt: skip
            for table in tables:
                found = db.execute(f"SELECT count(*) FROM {table} WHERE user_id = ?", (user_id,))
                left += [table] * found.fetchone()[0]
        return left
    stack = request.getfixturevalue("aws_stack")
    listed = stack.s3.list_objects_v2(Bucket=stack.receipts_bucket, Prefix=f"users/{user_id}/")
    left = [found["Key"] for found in listed.get("Contents", [])]
    table = boto3.client("dynamodb", endpoint_url=stack.dynamodb_endpoint)
    items = table.query(TableName=stack.table, KeyConditionExpression="pk = :pk",
                        ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}})  # fmt: skip
    return left + [str(item) for item in items["Items"]]
