"""The Plan page in Chromium: budgets with progress bars, recurring expenses with their next
date, alerts with Dismiss; all reachable from the dashboard and usable by keyboard."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.ui import Tab
from tests.support.api import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def open_plan(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    tab.page.get_by_role("link", name="Plan: budgets, recurring, alerts").click()
    tab.page.wait_for_url("**/plan.html")
    expect(tab.page.locator("body")).to_have_attribute("data-ready", "true")


def test_a_budget_added_by_keyboard_shows_its_progress_bar(tab: Tab, user: User) -> None:
    user.add(amount="30.00", currency="EUR", category="Food", date=today())
    open_plan(tab, user)
    form = tab.page.locator("#budget-form")
    form.get_by_label("Category (empty: everything)").fill("Food")
    form.get_by_label("Limit").fill("100")
    form.get_by_label("Currency").fill("EUR")
    form.get_by_label("Limit").press("Enter")
    bar = tab.page.get_by_role("progressbar", name="Food · monthly")
    expect(bar).to_have_attribute("aria-valuenow", "30")
    expect(bar).to_have_attribute("aria-valuemax", "100.00")
    expect(bar).to_have_attribute("aria-valuetext", "€30.00 of €100.00 spent; " + status(tab))
    expect(tab.page.locator("#budget-list .budget-numbers")).to_contain_text("Projected by the end")


def status(tab: Tab) -> str:
    text = tab.page.locator("#budget-list .status-badge").first.inner_text()
    assert text in {"On track", "At risk", "Over budget"}
    return text


def test_a_bad_budget_amount_is_shown_under_its_field(tab: Tab, user: User) -> None:
    tab.allow("422")
    open_plan(tab, user)
    form = tab.page.locator("#budget-form")
    form.get_by_label("Limit").fill("-5")
    form.get_by_role("button", name="Add budget").click()
    expect(form.locator("[data-error-for=amount]")).to_be_visible()
    expect(form.get_by_label("Limit")).to_have_attribute("aria-invalid", "true")


def test_a_recurring_expense_lists_its_next_date_and_can_be_stopped(tab: Tab, user: User) -> None:
    open_plan(tab, user)
    form = tab.page.locator("#recurring-form")
    form.get_by_label("Amount").fill("900")
    form.get_by_label("Category").fill("Housing")
    form.get_by_label("Description").fill("Rent")
    form.get_by_label("Repeats").select_option("fortnightly")
    form.get_by_role("button", name="Add recurring expense").click()
    item = tab.page.locator("#recurring-list > li").filter(has_text="Rent")
    expect(item).to_have_count(1)
    expect(item.locator(".next-date")).to_contain_text("Next:")
    assert user.client.get("/api/expenses", params={"category": "Housing"}).json()["items"]
    item.get_by_role("button", name="Stop Rent").press("Enter")
    expect(tab.page.locator("#recurring-list > li")).to_have_count(0)
    expect(tab.page.locator("#recurring-empty")).to_be_visible()


def test_an_invalid_custom_rule_is_explained_under_the_rule(tab: Tab, user: User) -> None:
    tab.allow("422")
    open_plan(tab, user)
    form = tab.page.locator("#recurring-form")
    form.get_by_label("Amount").fill("5")
    form.get_by_label("Category").fill("Food")
    form.get_by_label("Repeats").select_option("custom")
    form.get_by_label("Rule").fill("FREQ=HOURLY")
    form.get_by_role("button", name="Add recurring expense").click()
    expect(form.locator("[data-error-for=rule]")).to_contain_text("at most once a day")


def test_alerts_are_listed_and_dismissed_by_keyboard(tab: Tab, user: User) -> None:
    user.add(amount="9.99", category="Fun", description="Spotify", date=today())
    user.add(amount="9.99", category="Fun", description="spotify", date=today())
    open_plan(tab, user)
    items = tab.page.locator("#alert-list > li")
    expect(items).to_have_count(1)
    expect(items.first.get_by_role("heading")).to_have_text("Possible duplicate")
    button = items.first.get_by_role("button", name="Dismiss")
    button.focus()
    tab.page.keyboard.press("Enter")
    expect(items).to_have_count(0)
    expect(tab.page.locator("#alerts-empty")).to_be_visible()
    expect(tab.page.locator("#alert-emails")).to_be_focused()
    assert user.client.get("/api/alerts").json()["items"] == []


def test_the_email_setting_is_saved(tab: Tab, user: User) -> None:
    open_plan(tab, user)
    box = tab.page.get_by_label("E-mail me new alerts")
    expect(box).to_be_checked()
    box.press("Space")
    expect(tab.page.locator("#toast")).to_have_text("No more alert e-mails.")
    assert user.client.get("/api/alerts/settings").json() == {"emails": False}
