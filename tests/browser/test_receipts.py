"""Receipts on the dashboard: attach a photo, see its thumbnail, open it, remove it."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.ui import Tab, eventually, upload
from tests.support.api import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ATTACH = re.compile(r"^Attach a receipt")


def png_photo(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (15, 118, 110)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_receipt_photo_is_attached_shown_opened_and_removed(tab: Tab, user: User) -> None:
    expense = user.add(amount="23.00", category="Transport", description="Taxi", date="2026-11-05")
    photo = png_photo()
    tab.sign_in(user.email)
    row = tab.row("Taxi")
    row.get_by_label(ATTACH).set_input_files(files=[upload("receipt.png", "image/png", photo)])

    thumbnail = row.locator("img.receipt-img")
    expect(thumbnail).to_be_visible()
    tab.page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    assert thumbnail.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [64, 48]
    receipt = user.client.get(f"/api/expenses/{expense['id']}").json()["receipt"]
    assert (receipt["content_type"], receipt["size"]) == ("image/png", len(photo))

    with tab.page.context.expect_page() as opened:
        row.get_by_role("link", name=re.compile(r"^Open receipt \(photo")).click()
    viewer = opened.value
    assert viewer.url.startswith("blob:")
    viewer.wait_for_load_state()
    assert viewer.evaluate("() => [document.images[0].naturalWidth, document.contentType]") == [
        64,
        "image/png",
    ]
    viewer.close()

    row.get_by_role("button", name=re.compile(r"^Remove the receipt")).click()
    expect(row.locator(".receipt-thumb")).to_have_count(0)
    expect(row.get_by_label(ATTACH)).to_be_focused()
    # Deleted once its Undo offer has run out (test_dashboard_app tests the Undo itself).
    eventually(lambda: user.client.get(f"/api/expenses/{expense['id']}").json()["receipt"] is None)


def test_a_file_that_is_not_what_it_claims_is_refused_with_a_message(tab: Tab, user: User) -> None:
    expense = user.add(amount="5.00", category="Food", description="Snack", date="2026-11-05")
    tab.sign_in(user.email)
    tab.allow("status of 422")
    row = tab.row("Snack")
    row.get_by_label(ATTACH).set_input_files(
        files=[upload("fake.png", "image/png", b"plain text, not a PNG")]
    )
    expect(tab.page.locator("#toast")).to_be_visible()
    expect(tab.page.locator("#toast")).to_have_class(re.compile(r"\berror\b"))
    expect(row.get_by_label(ATTACH)).to_be_attached()
    expect(row.locator(".receipt-thumb")).to_have_count(0)
    assert user.client.get(f"/api/expenses/{expense['id']}").json()["receipt"] is None
