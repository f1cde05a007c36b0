"""Receipts on the dashboard: attach a photo, see its thumbnail, preview it in a dialog (a
photo zooms, a PDF shows in the browser's viewer), remove it."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.ui import Tab, eventually, upload
from tests.support.api import User
from tests.support.receipt_files import PDF

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

    opener = row.get_by_role("button", name=re.compile(r"^Open receipt \(photo"))
    opener.click()
    viewer = tab.page.get_by_role("dialog", name=re.compile("^Receipt: Transport"))
    expect(viewer).to_be_visible()
    photo_in_dialog = viewer.get_by_role("img", name=re.compile("^Receipt: Transport"))
    tab.page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 64", arg=photo_in_dialog.element_handle()
    )
    fitted = photo_in_dialog.bounding_box()
    viewer.get_by_role("button", name="Zoom in").click()
    zoom = viewer.get_by_role("button", name="Zoom out")
    expect(zoom).to_have_attribute("aria-pressed", "true")
    zoomed = photo_in_dialog.bounding_box()
    assert fitted and zoomed and zoomed["width"] > fitted["width"] * 1.5
    photo_in_dialog.click()  # the photo itself zooms back out
    expect(viewer.get_by_role("button", name="Zoom in")).to_have_attribute("aria-pressed", "false")
    assert len(tab.page.context.pages) == 1, "no raw tab opens"
    tab.page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(opener).to_be_focused()

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


def test_a_pdf_receipt_previews_in_the_browsers_viewer_inside_a_dialog(
    tab: Tab, user: User
) -> None:
    user.add(amount="80.00", category="Hotel", description="Inn", date="2026-11-06")
    tab.sign_in(user.email)
    row = tab.row("Inn")
    row.get_by_label(ATTACH).set_input_files(files=[upload("bill.pdf", "application/pdf", PDF)])
    opener = row.get_by_role("button", name=re.compile(r"^Open receipt \(PDF"))
    opener.focus()
    tab.page.keyboard.press("Enter")
    viewer = tab.page.get_by_role("dialog", name=re.compile("^Receipt: Hotel"))
    expect(viewer).to_be_visible()
    frame = viewer.locator("iframe.receipt-pdf")
    expect(frame).to_have_attribute("src", re.compile("^blob:"))
    # The frame holds the PDF itself (the CSP lets the page frame its own blob: URLs only).
    inside = frame.element_handle().content_frame()
    assert inside is not None
    inside.wait_for_load_state()
    assert inside.evaluate("() => document.contentType") == "application/pdf"
    assert viewer.get_by_role("button", name="Zoom in").is_hidden()
    assert len(tab.page.context.pages) == 1, "no raw tab opens"
    # Chromium's PDF viewer may take the focus once loaded, and then keeps Escape for itself:
    # the dialog's own Escape is checked from the dialog.
    viewer.get_by_role("button", name="Close").focus()
    tab.page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(opener).to_be_focused()
    expect(viewer.locator("iframe")).to_have_count(0)
