"""Scan a receipt on a phone-sized page: the camera input, the photo beside the prefilled
form, the unsure fields marked for eyes and screen readers, then saving the expense with the
photo as its receipt. The server reads with the memory reader (a fixed sample receipt whose
date 11/04/2026 is ambiguous): the OCR itself is tested in tests/unit and tests/http."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.ui import Tab, upload
from tests.support.api import User, socket_api
from tests.support.receipt_photos import receipt_photo
from tests.support.server import RunningServer, start_server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def scan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data: Path = tmp_path_factory.mktemp("scan-web") / "data"
    server = start_server(data, env={"EXPENSE_TRACKER_SCAN_READER": "memory"}, timeout=90)
    yield server
    server.stop()


@pytest.fixture
def open_tab(browser: Browser, scan_server: RunningServer) -> Iterator[Callable[..., Tab]]:
    """Tabs on this module's server (the suite's `open_tab` would start the shared one too)."""
    tabs: list[Tab] = []

    def make(viewport: dict[str, int] | None = None) -> Tab:
        context = browser.new_context(
            base_url=scan_server.base_url,
            viewport=viewport or DESKTOP,  # type: ignore[arg-type]
            locale="en-US",
            timezone_id="UTC",
            reduced_motion="reduce",
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
def scanner(scan_server: RunningServer) -> Iterator[User]:
    account = socket_api(scan_server.base_url).new_user("scan")
    yield account
    account.client.close()


def test_a_scanned_receipt_is_checked_and_saved_with_its_photo(
    open_tab: Callable[..., Tab], scanner: User
) -> None:
    tab = open_tab(viewport=PHONE)
    tab.sign_in(scanner.email)
    page = tab.page
    camera = page.get_by_label("Photo of the receipt")
    expect(camera).to_have_attribute("accept", "image/*")
    expect(camera).to_have_attribute("capture", "environment")

    camera.set_input_files(files=[upload("receipt.jpg", "image/jpeg", receipt_photo())])
    review = page.locator(".scan-review")
    expect(review).to_be_visible()
    page.wait_for_function("() => document.querySelector('.scan-photo').naturalWidth > 0")
    form = page.locator(".scan-form")
    expect(form.get_by_label("Amount")).to_have_value("6.25")
    expect(form.get_by_label("Currency")).to_have_value("EUR")
    expect(form.get_by_label("Description")).to_have_value("SAMPLE MARKET")

    date = form.get_by_label("Date")
    expect(date).to_have_value("2026-11-04")
    expect(date).to_have_accessible_description("Check this: the scan was not sure.")
    expect(date).to_be_focused()
    expect(form.locator(".field.unsure")).to_have_count(1)  # only the date was a guess

    date.fill("2026-04-11")
    form.get_by_label("Category").fill("Groceries")
    form.get_by_role("button", name="Save expense").click()
    expect(page.locator("#toast")).to_contain_text("with its receipt")
    expect(review).to_be_hidden()

    items = scanner.client.get("/api/expenses").json()["items"]
    assert [(e["amount"], e["date"], e["category"]) for e in items] == [
        ("6.25", "2026-04-11", "Groceries")
    ]
    assert items[0]["receipt"]["content_type"] == "image/jpeg"


def test_only_photos_are_offered_to_the_scanner(
    open_tab: Callable[..., Tab], scanner: User
) -> None:
    tab = open_tab()
    tab.sign_in(scanner.email)
    camera = tab.page.get_by_label("Photo of the receipt")
    camera.set_input_files(files=[upload("notes.txt", "text/plain", b"not a photo")])
    expect(tab.page.locator("#toast")).to_contain_text("Choose a JPEG, PNG, WebP or HEIC photo")
    expect(tab.page.locator(".scan-review")).to_be_hidden()
    assert scanner.client.get("/api/expenses").json()["items"] == []
