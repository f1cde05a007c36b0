"""Failed-login limits and the per-user request bucket: 429 with Retry-After.

Each test module here starts its own local server with low limits, so the shared server's
limits never trip on the rest of the suite (local server only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.api import PASSWORD, Api, unique_email
from tests.support.server import running_server

EMAIL_LIMIT, CLIENT_LIMIT, BURST = 3, 4, 5


def limited_api(tmp_path_factory: pytest.TempPathFactory, **env: Any) -> Iterator[Api]:
    settings = {f"EXPENSE_TRACKER_{name.upper()}": str(value) for name, value in env.items()}
    with running_server(tmp_path_factory.mktemp("limits") / "data", env=settings) as server:
        yield Api(server.base_url, lambda **kw: httpx.Client(base_url=server.base_url, **kw))


@pytest.fixture(scope="module")
def email_limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from limited_api(
        tmp_path_factory,
        login_failures_per_email=EMAIL_LIMIT,
        login_failures_per_client=1000,
        rate_burst=BURST,
        rate_per_second=0.01,  # one token back every 100 s: nothing refills during a test
    )


@pytest.fixture(scope="module")
def client_limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from limited_api(
        tmp_path_factory, login_failures_per_email=100, login_failures_per_client=CLIENT_LIMIT
    )


def login(api: Api, email: str, password: str) -> httpx.Response:
    with api.client() as anon:
        return anon.post("/api/auth/login", json={"email": email, "password": password})


def assert_limited(response: httpx.Response, longest: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(response.headers["retry-after"]) <= longest


def test_failed_logins_lock_the_email_even_for_the_right_password(email_limited: Api) -> None:
    email = unique_email()
    email_limited.sign_up(email)
    for _ in range(EMAIL_LIMIT):
        assert login(email_limited, email, "not the password").status_code == 401
    assert_limited(login(email_limited, email, PASSWORD), 300)
    assert_limited(login(email_limited, email.upper(), PASSWORD), 300)


def test_the_email_lock_leaves_other_accounts_alone(email_limited: Api) -> None:
    locked, free = unique_email(), unique_email()
    email_limited.sign_up(locked)
    email_limited.sign_up(free)
    for _ in range(EMAIL_LIMIT):
        login(email_limited, locked, "not the password")
    assert login(email_limited, free, PASSWORD).status_code == 200


def test_unknown_emails_are_limited_like_known_ones(email_limited: Api) -> None:
    nobody = unique_email("nobody")
    for _ in range(EMAIL_LIMIT):
        assert login(email_limited, nobody, PASSWORD).status_code == 401
    assert_limited(login(email_limited, nobody, PASSWORD), 300)


def test_a_success_clears_the_emails_failures(email_limited: Api) -> None:
    email = unique_email()
    email_limited.sign_up(email)
    for _ in range(2):
        for _ in range(EMAIL_LIMIT - 1):
            assert login(email_limited, email, "not the password").status_code == 401
        assert login(email_limited, email, PASSWORD).status_code == 200


def test_failed_logins_from_one_client_lock_that_client(client_limited: Api) -> None:
    email = unique_email()
    client_limited.sign_up(email)
    for n in range(CLIENT_LIMIT):
        assert login(client_limited, unique_email(f"guess{n}"), PASSWORD).status_code == 401
    assert_limited(login(client_limited, email, PASSWORD), 300)


def test_requests_over_the_burst_get_429_per_user(email_limited: Api) -> None:
    ada, bob = email_limited.new_user("ada"), email_limited.new_user("bob")
    with ada.client, bob.client:
        for _ in range(BURST):
            assert ada.client.get("/api/me").status_code == 200
        limited = ada.client.get("/api/me")
        assert_limited(limited, 100)
        assert int(limited.headers["retry-after"]) >= 90  # at 0.01 tokens a second
        assert bob.client.get("/api/me").status_code == 200


PAIR_LIMIT, SIGNUPS_PER_CLIENT, SIGNUPS_OVERALL = 3, 3, 5


def from_address(api: Api, address: str) -> httpx.Client:
    """A client whose connections come from another loopback address (127.0.0.0/8)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=api.base_url, transport=transport, timeout=30)


@pytest.fixture(scope="module")
def pair_limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from limited_api(
        tmp_path_factory, login_failures_per_pair=PAIR_LIMIT, login_failures_per_email=50
    )


@pytest.fixture(scope="module")
def signup_limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from limited_api(
        tmp_path_factory,
        signup_burst_per_client=SIGNUPS_PER_CLIENT,
        signup_rate_per_client=0.001,
        signup_burst_overall=SIGNUPS_OVERALL,
        signup_rate_overall=0.001,
    )


def test_the_owner_signs_in_from_another_address_while_one_address_is_slowed(
    pair_limited: Api,
) -> None:
    email = unique_email()
    pair_limited.sign_up(email)
    wrong = {"email": email, "password": "not the password"}
    right = {"email": email, "password": PASSWORD}
    with from_address(pair_limited, "127.0.0.2") as attacker:
        for _ in range(PAIR_LIMIT):
            assert attacker.post("/api/auth/login", json=wrong).status_code == 401
        assert_limited(attacker.post("/api/auth/login", json=right), 300)
    with from_address(pair_limited, "127.0.0.3") as owner:
        assert owner.post("/api/auth/login", json=right).status_code == 200


def test_signups_are_limited_per_address_and_overall(signup_limited: Api) -> None:
    def sign_up(client: httpx.Client) -> httpx.Response:
        body = {"email": unique_email("flood"), "password": PASSWORD}
        return client.post("/api/auth/signup", json=body)

    with from_address(signup_limited, "127.0.0.4") as flooder:
        for _ in range(SIGNUPS_PER_CLIENT):
            assert sign_up(flooder).status_code == 201
        assert_limited(sign_up(flooder), 3600)
    with from_address(signup_limited, "127.0.0.5") as other:
        for _ in range(SIGNUPS_OVERALL - SIGNUPS_PER_CLIENT):
            assert sign_up(other).status_code == 201
        assert_limited(sign_up(other), 3600)
