"""Browser tests: Debian's Chromium driven by Playwright against a real local server.

One browser serves the whole suite (the tests share an xdist group); each test gets a fresh
context, so no cookies or sessionStorage leak between tests. Every page's console errors and
uncaught exceptions fail the test that caused them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.browser.ui import Tab
from tests.support.api import Api, User, socket_api
from tests.support.server import RunningServer, start_server

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium phones home, and a closed network refuses it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("web") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def web_api(web_server: RunningServer) -> Api:
    return socket_api(web_server.base_url)


@pytest.fixture
def user(web_api: Api) -> Iterator[User]:
    account = web_api.new_user("web")
    yield account
    account.client.close()


TabFactory = Callable[..., Tab]


@pytest.fixture
def open_tab(browser: Browser, web_server: RunningServer) -> Iterator[TabFactory]:
    """open_tab(base_url=..., viewport=..., color_scheme=...) -> a Tab in a fresh context."""
    tabs: list[Tab] = []

    def make(
        base_url: str = web_server.base_url,
        viewport: dict[str, int] | None = None,
        color_scheme: Literal["light", "dark"] = "light",
    ) -> Tab:
        context = browser.new_context(
            base_url=base_url,
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            locale="en-US",
            timezone_id="UTC",
            reduced_motion="reduce",
            color_scheme=color_scheme,
            accept_downloads=True,
        )
        tab = Tab(context.new_page())
        tabs.append(tab)
        return tab

    yield make
    problems = [line for tab in tabs for line in tab.unexpected_errors()]
    for tab in tabs:
        tab.page.context.close()
    assert not problems, "console errors:\n" + "\n".join(problems)


@pytest.fixture
def tab(open_tab: TabFactory) -> Tab:
    return open_tab()
