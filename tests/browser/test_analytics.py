"""Totals per currency and the two charts, for the chosen period; and how the dashboard looks
on a desktop and on a phone (screenshots into test-artifacts/)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, TabFactory
from tests.browser.ui import Tab
from tests.support.api import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def plotted(chart: dict[str, Any]) -> dict[tuple[str, str], str]:
    """{(label, currency): exact amount} of every bar drawn."""
    return {
        (label, dataset["label"]): amount
        for dataset in chart["datasets"]
        for label, amount in zip(chart["labels"], dataset["amounts"], strict=True)
        if amount is not None
    }


def totals(tab: Tab) -> dict[str, str]:
    items = tab.page.locator("#totals li")
    return {
        str(li.get_attribute("data-currency")): str(li.get_attribute("data-amount"))
        for li in items.all()
    }


def test_totals_and_charts_keep_currencies_apart(tab: Tab, user: User) -> None:
    user.add(amount="12.50", currency="EUR", category="Food", date="2026-10-03")
    user.add(amount="30.00", currency="EUR", category="Food", date="2026-11-10")
    user.add(amount="45.00", currency="EUR", category="Transport", date="2026-11-05")
    user.add(amount="20.00", currency="USD", category="Food", date="2026-11-12")
    user.add(amount="310.40", currency="USD", category="Travel", date="2026-10-22")
    tab.sign_in(user.email)

    assert totals(tab) == {"EUR": "87.50", "USD": "330.40"}
    expect(tab.page.locator("#totals li[data-currency=USD] .total-amount")).to_have_text("$330.40")
    by_category = tab.chart_data("chart-category")
    assert plotted(by_category) == {
        ("Food", "EUR"): "42.50",
        ("Transport", "EUR"): "45.00",
        ("Food", "USD"): "20.00",
        ("Travel", "USD"): "310.40",
    }
    assert by_category["drawn"] == 4  # bars exist with a size, not just data
    assert plotted(tab.chart_data("chart-month")) == {
        ("Oct 2026", "EUR"): "12.50",
        ("Nov 2026", "EUR"): "75.00",
        ("Oct 2026", "USD"): "310.40",
        ("Nov 2026", "USD"): "20.00",
    }

    tab.filter(**{"from": "2026-11-01", "to": "2026-11-30"})
    expect(tab.page.locator("#totals li[data-currency=EUR]")).to_have_attribute(
        "data-amount", "75.00"
    )
    assert totals(tab) == {"EUR": "75.00", "USD": "20.00"}
    expect(tab.page.locator("#period-label")).to_contain_text("Nov 1, 2026")
    assert plotted(tab.chart_data("chart-month")) == {
        ("Nov 2026", "EUR"): "75.00",
        ("Nov 2026", "USD"): "20.00",
    }


def seed_a_month(user: User, today: date) -> None:
    """A plausible month: rent, groceries, transport, a trip abroad in another currency."""
    spending = [
        (1, "950.00", "EUR", "Housing", "Rent"),
        (2, "64.20", "EUR", "Groceries", "Weekly shop"),
        (3, "2.90", "EUR", "Transport", "Metro ticket"),
        (5, "38.00", "EUR", "Food", "Dinner with friends"),
        (8, "71.35", "EUR", "Groceries", "Weekly shop"),
        (9, "45.00", "EUR", "Utilities", "Electricity"),
        (12, "19.99", "EUR", "Entertainment", "Streaming, yearly plan split"),
        (14, "120.00", "GBP", "Travel", "Train to London"),
        (15, "42.50", "GBP", "Food", "Pub lunch"),
        (16, "58.10", "EUR", "Groceries", "Weekly shop"),
        (20, "23.40", "EUR", "Health", "Pharmacy"),
        (24, "12.50", "EUR", "Food", "Lunch with the team"),
        (33, "950.00", "EUR", "Housing", "Rent"),
        (38, "88.40", "EUR", "Groceries", "Big shop"),
        (46, "35.00", "EUR", "Entertainment", "Concert"),
        (52, "49.90", "EUR", "Utilities", "Internet and phone"),
    ]
    for days_ago, amount, currency, category, description in spending:
        user.add(
            amount=amount,
            currency=currency,
            category=category,
            description=description,
            date=(today - timedelta(days=days_ago)).isoformat(),
        )
    lunch = user.client.get("/api/expenses", params={"q": "Lunch with"}).json()["items"][0]
    attach_receipt(user, lunch["id"], receipt_photo())


def receipt_photo() -> bytes:
    """A till receipt's look: a white slip with lines of print."""
    slip = Image.new("RGB", (120, 160), (250, 250, 247))
    pen = ImageDraw.Draw(slip)
    for row, width in enumerate([70, 90, 50, 96, 80, 60, 96, 40]):
        top = 12 + row * 17
        pen.rectangle((12, top, 12 + width, top + 5), fill=(90, 90, 90))
    buffer = io.BytesIO()
    slip.save(buffer, format="PNG")
    return buffer.getvalue()


def attach_receipt(user: User, expense_id: str, photo: bytes) -> None:
    base = f"/api/expenses/{expense_id}/receipt"
    ticket = user.client.post(
        f"{base}/upload", json={"content_type": "image/png", "size": len(photo)}
    )
    assert ticket.status_code == 201, ticket.text
    body = ticket.json()
    uploaded = user.client.post(
        body["url"], data=body["fields"], files={"file": ("receipt.png", photo, "image/png")}
    )
    assert uploaded.status_code in (200, 201, 204), uploaded.text
    assert user.client.post(f"{base}/confirm").status_code == 200


def wait_for_thumbnails(tab: Tab) -> None:
    """Thumbnails load as they scroll into view: bring each one in, then back to the top."""
    for thumbnail in tab.page.locator(".receipt-thumb").all():
        thumbnail.scroll_into_view_if_needed()
        expect(thumbnail.locator("img")).to_be_visible()
    tab.page.wait_for_function(
        "() => [...document.images].every((img) => img.complete && img.naturalWidth > 0)"
    )
    tab.page.evaluate("() => window.scrollTo(0, 0)")


def test_dashboard_fits_desktop_and_phone_screens(open_tab: TabFactory, user: User) -> None:
    assert user.client.patch("/api/me", json={"default_currency": "EUR"}).status_code == 200
    seed_a_month(user, date.today())
    ARTIFACTS.mkdir(exist_ok=True)
    for name, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
        tab = open_tab(viewport=viewport)
        tab.sign_in(user.email)
        expect(tab.rows()).to_have_count(16)
        wait_for_thumbnails(tab)
        tab.page.locator("#expense-form").get_by_label("Amount").blur()
        overflow = tab.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"
        path = ARTIFACTS / f"dashboard-{name}.png"
        tab.page.screenshot(path=str(path), full_page=True)
        with Image.open(io.BytesIO(path.read_bytes())) as shot:
            assert shot.width == viewport["width"]
            assert shot.height >= viewport["height"]


def test_a_newer_period_is_drawn_over_an_older_drawing_never_under_it(tab: Tab, user: User) -> None:
    # The charts and their tables are drawn a piece per task: a period chosen while an older
    # one is still being drawn must stop that drawing, not be overwritten by it.
    user.add(amount="9.00", category="Food", description="Soup", date="2026-10-02")
    user.add(amount="4.00", category="Tea", description="Tea", date="2026-11-03")
    tab.sign_in(user.email)
    tab.filter(category="Food")
    tab.filter(category="Tea")
    tab.wait_for_dashboard()
    expect(tab.page.locator("#chart-category .band")).to_have_count(1)
    expect(tab.page.locator("#chart-category .band")).to_have_attribute("data-label", "Tea")
    expect(tab.page.locator("#chart-month .band")).to_have_count(1)
    expect(tab.page.locator("#table-category tbody th")).to_have_text(["Tea"])
    expect(tab.page.locator("#table-month tbody tr")).to_have_count(1)
