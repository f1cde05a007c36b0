"""The Lambda lane answers its plain reads exactly as the full app behind Mangum does (status,
headers, body), and leaves every other request to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from expense_tracker.adapters.aws.lane_wiring import build_lane
from expense_tracker.entrypoints.lambda_handler import make_handler
from expense_tracker.entrypoints.lambda_lane import Lane
from expense_tracker.settings_fields import lane_settings
from tests.aws.cognito_helpers import access_claims, moto_signed
from tests.aws.test_lambda_handler import settings_env, stringified
from tests.support.api import Api, User
from tests.support.aws_stack import API_HOST, AwsStack
from tests.support.lambda_transport import FakeContext, to_event


@pytest.fixture
def user(aws_api: Api) -> Iterator[User]:
    account = aws_api.new_user("lane")
    for day in (3, 9, 17):
        account.add(date=f"2025-03-{day:02d}", category="Travel" if day == 9 else "Food")
    yield account
    account.client.close()


@pytest.fixture
def both(aws_stack: AwsStack) -> tuple[Lane, Any]:
    found = lane_settings(settings_env(aws_stack.settings()))
    assert found is not None
    return Lane(build_lane(found)), make_handler(aws_stack.settings())


def event(
    path: str, token: str | None = None, claims: dict[str, Any] | None = None, method: str = "GET"
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = httpx.Request(method, f"https://{API_HOST}{path}", headers=headers)
    return to_event(request, claims)


def test_the_lanes_answers_are_the_full_apps(
    aws_stack: AwsStack, user: User, both: tuple[Lane, Any]
) -> None:
    lane, app = both
    claims = stringified(access_claims(aws_stack.pool, user.user_id))
    forged = moto_signed(access_claims(aws_stack.pool, user.user_id, exp=1))
    events = [
        event("/api/health"),
        event("/api/expenses", user.access_token),
        event("/api/expenses?limit=2", user.access_token),
        event("/api/expenses?from=2025-03-05&to=2025-03-31&category=Food", user.access_token),
        event("/api/expenses?q=nothing-like-it&unknown=1", user.access_token),
        event("/api/expenses?limit=1", claims=claims),  # the gateway's authorizer verified it
        event("/api/analytics/summary", user.access_token),
        event("/api/analytics/summary?from=2025-03-05", user.access_token),
        event("/api/expenses"),  # no token: 401
        event("/api/expenses", forged),  # expired: 401
        event("/api/expenses", "not-a-token"),
    ]
    for sent in events:
        mine = lane.answer(sent)
        assert mine is not None, sent["rawPath"]
        assert mine == app(sent, FakeContext()), sent["rawPath"]
    statuses = [lane.answer(sent)["statusCode"] for sent in events]  # type: ignore[index]
    assert statuses == [200] * 8 + [401] * 3


def test_a_page_cursor_from_the_lane_is_the_full_apps(user: User, both: tuple[Lane, Any]) -> None:
    lane, app = both
    first = lane.answer(event("/api/expenses?limit=1", user.access_token))
    assert first is not None and '"next_cursor":"' in first["body"]
    cursor = httpx.Response(200, text=first["body"]).json()["next_cursor"]
    sent = event(f"/api/expenses?limit=1&cursor={cursor}", user.access_token)
    assert lane.answer(sent) == app(sent, FakeContext())


@pytest.mark.parametrize(
    "path",
    [
        "/api/expenses?limit=0",
        "/api/expenses?from=2025-13-01",
        "/api/expenses?limit=abc",
        "/api/analytics/summary?q=food",
        "/api/expenses/",
        "/api/%65xpenses",
        "/api/me",
        "/api/openapi.json",
    ],
)
def test_what_is_not_plainly_the_lanes_goes_to_the_full_app(
    user: User, both: tuple[Lane, Any], path: str
) -> None:
    lane, _ = both
    assert lane.answer(event(path, user.access_token)) is None


def test_other_methods_and_bodies_go_to_the_full_app(user: User, both: tuple[Lane, Any]) -> None:
    lane, _ = both
    assert lane.answer(event("/api/expenses", user.access_token, method="HEAD")) is None
    posted = event("/api/expenses", user.access_token)
    posted["body"] = "{}"
    assert lane.answer(posted) is None
