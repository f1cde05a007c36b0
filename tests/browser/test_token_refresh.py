"""An expired access token is renewed without the user noticing: ahead of time by a timer,
and, if a stale token is sent anyway, by one refresh and a retry after the 401."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Response, expect

from tests.browser.conftest import TabFactory
from tests.support.api import socket_api
from tests.support.server import RunningServer, start_server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
TTL_SECONDS = 5


@pytest.fixture(scope="module")
def short_token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(
        tmp_path_factory.mktemp("short-ttl") / "data",
        env={"EXPENSE_TRACKER_ACCESS_TOKEN_TTL_SECONDS": str(TTL_SECONDS)},
    )
    yield server
    server.stop()


def wait_until_rejected(base_url: str, token: str) -> None:
    """Poll until the server itself calls the token expired (its clock, not the page's)."""
    deadline = time.monotonic() + TTL_SECONDS + 10
    while time.monotonic() < deadline:
        answer = httpx.get(f"{base_url}/api/me", headers={"Authorization": f"Bearer {token}"})
        if answer.status_code == 401:
            return
        time.sleep(0.2)
    raise AssertionError("the access token never expired")


def test_expired_access_token_is_refreshed_without_the_user_noticing(
    open_tab: TabFactory, short_token_server: RunningServer
) -> None:
    base_url = short_token_server.base_url
    user = socket_api(base_url).new_user("refresh")
    tab = open_tab(base_url=base_url)
    statuses: list[tuple[str, int]] = []

    def record(response: Response) -> None:
        if "/api/" in response.url:
            statuses.append((response.url.split("/api/")[1].split("?")[0], response.status))

    tab.page.on("response", record)
    tab.page.clock.install()  # the page's timers, under the test's control
    tab.sign_in(user.email)

    # Freeze the page's clock so its refresh timer cannot fire, and let it believe the token
    # has an hour left (as a skewed clock would): it will send the token the server refuses.
    tab.page.clock.pause_at(tab.page.evaluate("() => Date.now()") + 50)
    stale = tab.session()["access_token"]
    wait_until_rejected(base_url, stale)
    tab.page.evaluate(
        """(stale) => {
            const key = 'expense-tracker.session';
            const session = JSON.parse(sessionStorage.getItem(key));
            Object.assign(session, {access_token: stale, expires_at: Date.now() + 3600 * 1000});
            sessionStorage.setItem(key, JSON.stringify(session));
        }""",
        stale,
    )
    statuses.clear()
    tab.allow("status of 401")  # Chromium logs the refused request; the user sees nothing
    tab.add_expense(amount="4.20", category="Food", description="After expiry")
    assert statuses[:3] == [("expenses", 401), ("auth/refresh", 200), ("expenses", 201)]
    assert tab.session()["access_token"] != stale
    expect(tab.page).to_have_url(f"{base_url}/tracker.html")

    # Let the page's time run on: the timer renews the token before it expires.
    before = tab.session()["access_token"]
    statuses.clear()
    tab.page.clock.run_for(TTL_SECONDS * 1000)
    tab.page.wait_for_function(
        """(old) => {
            const session = JSON.parse(sessionStorage.getItem('expense-tracker.session'));
            return session.access_token !== old;
        }""",
        arg=before,
    )
    assert ("auth/refresh", 200) in statuses
    assert all(status != 401 for _, status in statuses)
    renewed = tab.session()["access_token"]
    me = httpx.get(f"{base_url}/api/me", headers={"Authorization": f"Bearer {renewed}"})
    assert me.json()["email"] == user.email
    tab.add_expense(amount="5.00", category="Food", description="Still signed in")
    expect(tab.page).to_have_url(f"{base_url}/tracker.html")
    assert tab.descriptions() == ["Still signed in", "After expiry"]
    user.client.close()
