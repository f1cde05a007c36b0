"""Sign-up, sign-in, refresh, sign-out and /api/me, through the HTTP API only (any backend)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.api import PASSWORD, Api, User, unique_email


def post(api: Api, path: str, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    with api.client(token) as client:
        return client.post(path, json=body)


def signup(api: Api, email: str, password: str = PASSWORD) -> httpx.Response:
    return post(api, "/api/auth/signup", {"email": email, "password": password})


def login(api: Api, email: str, password: str = PASSWORD) -> httpx.Response:
    return post(api, "/api/auth/login", {"email": email, "password": password})


def refresh(api: Api, token: str) -> httpx.Response:
    return post(api, "/api/auth/refresh", {"refresh_token": token})


def me(api: Api, token: str) -> httpx.Response:
    with api.client(token) as client:
        return client.get("/api/me")


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# Sign-up


def test_signup_creates_an_account_with_a_lower_case_email(api: Api) -> None:
    email = unique_email("Mixed.Case")
    response = signup(api, email.upper())
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"user_id", "email", "confirmation_required"}
    assert body["email"] == email.lower()
    assert body["user_id"]


def test_signup_with_a_taken_email_is_a_conflict(api: Api, user: User) -> None:
    assert_problem(signup(api, user.email), 409)
    assert_problem(signup(api, user.email.upper(), "another fine passphrase"), 409)


@pytest.mark.parametrize(
    "email", ["not-an-email", "ada@", "@example.com", "ada@example", "a b@example.com", ""]
)
def test_signup_with_an_invalid_email_is_refused(api: Api, email: str) -> None:
    body = assert_problem(signup(api, email), 422)
    assert [e["field"] for e in body["errors"]] == ["email"]


@pytest.mark.parametrize(
    "password",
    ["", "short", "seven77", "x" * 129, "password", "iloveyou", "Sunshine1", "qwertyuiop"],
    ids=["empty", "short", "7-chars", "129-chars", "common", "common2", "common-cased", "keys"],
)
def test_signup_with_a_weak_password_is_refused(api: Api, password: str) -> None:
    body = assert_problem(signup(api, unique_email(), password), 422)
    assert [e["field"] for e in body["errors"]] == ["password"]


@pytest.mark.parametrize("password", ["zq8#kv2m", "y" * 127 + "z"], ids=["8-chars", "128-chars"])
def test_signup_accepts_passwords_at_the_length_limits(api: Api, password: str) -> None:
    email = unique_email()
    response = signup(api, email, password)
    assert response.status_code == 201
    if response.json()["confirmation_required"]:  # Cognito: the e-mailed code first
        api.extras["confirm"](email)
    assert login(api, email, password).status_code == 200


def test_signup_refuses_unknown_fields(api: Api) -> None:
    response = post(
        api, "/api/auth/signup", {"email": unique_email(), "password": PASSWORD, "admin": True}
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["admin"]


# Login


def test_login_returns_bearer_tokens(api: Api, user: User) -> None:
    response = login(api, user.email.upper())
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 3600
    assert me(api, body["access_token"]).json()["user_id"] == user.user_id


def test_wrong_password_and_unknown_email_get_the_same_401(api: Api, user: User) -> None:
    wrong = assert_problem(login(api, user.email, "not the password"), 401)
    unknown = assert_problem(login(api, unique_email("nobody")), 401)
    assert wrong == unknown
    assert "password" in wrong["detail"].lower()


# Refresh and logout


def test_refresh_rotates_the_refresh_token(api: Api, user: User) -> None:
    response = refresh(api, user.refresh_token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"] != user.refresh_token
    assert me(api, body["access_token"]).json()["email"] == user.email
    assert refresh(api, body["refresh_token"]).status_code == 200  # the new one works once
    assert_problem(refresh(api, user.refresh_token), 401)  # the used one is dead


def test_reusing_a_refresh_token_revokes_the_family_but_not_other_sessions(
    api: Api, user: User
) -> None:
    other_session = login(api, user.email).json()
    rotated = refresh(api, user.refresh_token).json()
    assert_problem(refresh(api, user.refresh_token), 401)  # the reuse
    assert_problem(refresh(api, rotated["refresh_token"]), 401)  # its family is dead
    assert refresh(api, other_session["refresh_token"]).status_code == 200


@pytest.mark.parametrize("token", ["", "garbage", "x" * 4096])
def test_refresh_with_an_unknown_token_is_401(api: Api, token: str) -> None:
    assert_problem(refresh(api, token), 401)


def test_logout_revokes_the_refresh_token(api: Api, user: User) -> None:
    response = post(
        api, "/api/auth/logout", {"refresh_token": user.refresh_token}, user.access_token
    )
    assert response.status_code == 204, response.text
    assert_problem(refresh(api, user.refresh_token), 401)


def test_logout_needs_an_access_token(api: Api, user: User) -> None:
    response = post(api, "/api/auth/logout", {"refresh_token": user.refresh_token})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert refresh(api, user.refresh_token).status_code == 200  # nothing was revoked


# Me


def test_me_describes_the_signed_in_user(api: Api, user: User) -> None:
    response = user.client.get("/api/me")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user_id"] == user.user_id
    assert body["email"] == user.email
    assert len(body["default_currency"]) == 3


def test_me_without_a_token_is_401_with_a_bearer_challenge(api: Api) -> None:
    with api.client() as anon:
        response = anon.get("/api/me")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_confirm_on_an_active_account_is_a_bad_request(api: Api, user: User) -> None:
    response = post(api, "/api/auth/confirm", {"email": user.email, "code": "123456"})
    assert_problem(response, 400)
