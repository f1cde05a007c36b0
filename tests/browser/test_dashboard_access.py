"""Layout at any width, focus that never drops to <body>, charts with a table and drill-down,
and contrast of focus rings and borders (issue 18, items 3, 4, 5, 8)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.colors import contrast
from tests.browser.conftest import ARTIFACTS, PHONE, TabFactory
from tests.browser.ui import Tab, upload
from tests.support.api import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
NARROWEST = {"width": 320, "height": 640}  # WCAG 1.4.10: no sideways scrolling at 320 CSS px


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not rendered"
    return {"x": found["x"], "y": found["y"], "width": found["width"], "height": found["height"]}


def focused(tab: Tab) -> str:
    """The focused element as `tag#id "text"`, to say where the focus went."""
    where: str = tab.page.evaluate(
        """() => { const e = document.activeElement;
            return `${e.tagName.toLowerCase()}#${e.id} "${e.textContent.trim()}"`; }"""
    )
    return where


def test_a_long_amount_is_shown_whole_beside_its_category(tab: Tab, user: User) -> None:
    user.add(amount="1250000.00", currency="IDR", category="Rent", date="2026-11-01")
    tab.sign_in(user.email)
    amount = tab.page.locator(".expense-amount")
    expect(amount).to_have_text("IDR 1,250,000.00")
    assert amount.evaluate("(e) => e.scrollWidth <= e.clientWidth")
    assert (
        box(amount)["x"] + box(amount)["width"] <= box(tab.page.locator(".expense-category"))["x"]
    )


def test_a_long_description_stays_clear_of_the_receipt_button_on_a_phone(
    open_tab: TabFactory, user: User
) -> None:
    words = "Dinner with the whole team after the quarterly review at the harbour restaurant"
    user.add(amount="88.00", category="Food", description=f"{words} Supercalifragilistic" * 2)
    tab = open_tab(viewport=PHONE)
    tab.sign_in(user.email)
    description = box(tab.page.locator(".expense-description"))
    attach = box(tab.page.locator(".expense-receipt .attach"))
    overlaps_across = description["x"] + description["width"] > attach["x"]
    overlaps_down = description["y"] < attach["y"] + attach["height"]
    assert not (overlaps_across and overlaps_down), (description, attach)


def test_the_dashboard_fits_320_pixels_without_scrolling_sideways(
    open_tab: TabFactory, user: User
) -> None:
    user.add(
        amount="1250000.00", currency="IDR", category="Housing and utilities", date="2026-11-01"
    )
    tab = open_tab(viewport=NARROWEST)
    tab.sign_in(user.email)
    overflow = tab.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    sign_out = box(tab.page.get_by_role("button", name="Sign out"))
    assert sign_out["x"] >= 0 and sign_out["x"] + sign_out["width"] <= NARROWEST["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(ARTIFACTS / "dashboard-320.png"), full_page=True)


def test_focus_moves_to_the_next_row_after_a_delete(tab: Tab, user: User) -> None:
    for day, name in [(1, "Older"), (2, "Middle"), (3, "Newest")]:
        user.add(amount="5.00", category="Food", description=name, date=f"2026-11-0{day}")
    tab.sign_in(user.email)
    tab.row("Middle").get_by_role("button", name=re.compile("^Delete")).click()
    tab.page.locator("#confirm-delete").get_by_role("button", name="Delete").click()
    expect(tab.row("Middle")).to_have_count(0)
    expect(tab.row("Older").get_by_role("button", name=re.compile("^Edit"))).to_be_focused()

    tab.row("Older").get_by_role("button", name=re.compile("^Delete")).click()
    tab.page.locator("#confirm-delete").get_by_role("button", name="Delete").click()
    expect(tab.row("Older")).to_have_count(0)
    expect(tab.row("Newest").get_by_role("button", name=re.compile("^Edit"))).to_be_focused()


def test_focus_stays_on_export_and_goes_to_the_outcome_of_an_import(tab: Tab, user: User) -> None:
    user.add(amount="5.00", category="Food", description="Soup", date="2026-11-01")
    tab.sign_in(user.email)
    export = tab.page.get_by_role("button", name="Export CSV")
    with tab.page.expect_download():
        export.click()
    expect(tab.page.locator("#toast-text")).to_have_text("Exported CSV.")
    expect(export).to_be_focused()

    form = tab.page.locator("#import-form")
    form.get_by_label("CSV file to import").set_input_files(
        files=[
            upload("a.csv", "text/csv", b"date,amount,currency,category\n2026-11-02,1,EUR,Food\n")
        ]
    )
    form.get_by_role("button", name="Import", exact=True).click()
    expect(tab.page.locator("#import-result")).to_have_text("Imported 1 expense.")
    expect(tab.page.locator("#import-result")).to_be_focused()
    assert "body" not in focused(tab)


def test_each_chart_has_a_keyboard_table_and_choosing_a_bar_filters_by_it(
    tab: Tab, user: User
) -> None:
    user.add(amount="12.50", currency="EUR", category="Food", date="2026-10-03")
    user.add(amount="45.00", currency="EUR", category="Transport", date="2026-11-05")
    user.add(amount="20.00", currency="USD", category="Food", date="2026-11-12")
    tab.sign_in(user.email)

    summary = tab.page.locator("#analytics summary", has_text="By category as a table")
    summary.focus()
    tab.page.keyboard.press("Enter")
    table = tab.page.locator("#table-category table")
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_text(["By category", "EUR", "USD"])
    # The API's order (most spent first); each original amount, and (another currency than the
    # home one, USD here) what it counts as in the home currency.
    expect(table.locator("tbody tr")).to_have_text([
        re.compile(r"^Transport\s*€45\.00 ≈ \$\d+\.\d\d\s*–$"),
        re.compile(r"^Food\s*€12\.50 ≈ \$\d+\.\d\d\s*\$20\.00$"),
    ])  # fmt: skip

    # Each row's label is a button that filters by it.
    tab.page.keyboard.press("Tab")
    expect(table.get_by_role("button", name="Show the expenses of Transport")).to_be_focused()
    tab.page.keyboard.press("Tab")
    expect(table.get_by_role("button", name="Show the expenses of Food")).to_be_focused()
    tab.page.keyboard.press("Enter")
    expect(tab.page.locator("#filter-category")).to_have_value("Food")
    expect(tab.rows()).to_have_count(2)
    expect(tab.page.locator("#expenses")).to_be_focused()

    # The month chart: a click on a bar narrows the period to that month.
    tab.filter(category="")
    expect(tab.rows()).to_have_count(3)
    expect(tab.page.locator("#table-month tbody tr")).to_have_count(2)
    bar = tab.page.locator("#chart-month .band[data-label='Oct 2026'] .bar[data-series=EUR]")
    bar.click()
    expect(tab.page.locator("#filter-from")).to_have_value("2026-10-01")
    expect(tab.page.locator("#filter-to")).to_have_value("2026-10-31")
    expect(tab.rows()).to_have_count(1)


def test_the_chosen_preset_period_shows_as_pressed(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    presets = tab.page.locator("#filters .presets button")
    expect(presets).to_have_count(4)
    # No period set: that is "All time".
    expect(tab.page.get_by_role("button", name="All time")).to_have_attribute(
        "aria-pressed", "true"
    )
    tab.page.get_by_role("button", name="Last month").click()
    pressed = [b.get_attribute("aria-pressed") for b in presets.all()]
    assert pressed == ["false", "true", "false", "false"]
    tab.filter(**{"from": "2026-01-05"})
    expect(tab.page.locator("#filters [aria-pressed=true]")).to_have_count(0)


def colors_of(tab: Tab, selector: str) -> dict[str, Any]:
    found: dict[str, Any] = tab.page.evaluate(
        """(selector) => {
            const e = document.querySelector(selector), s = getComputedStyle(e);
            const panel = getComputedStyle(e.closest(".panel, .auth-card") || document.body);
            return {outline: s.outlineColor, outlineStyle: s.outlineStyle, border: s.borderTopColor,
                    background: s.backgroundColor, panel: panel.backgroundColor};
        }""",
        selector,
    )
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_rings_and_input_borders_have_3_to_1_contrast(
    open_tab: TabFactory, user: User, scheme: str
) -> None:
    tab = open_tab(color_scheme=scheme)
    tab.sign_in(user.email)
    tab.page.locator("#filter-q").focus()
    tab.page.keyboard.press("Shift+Tab")  # a keyboard focus, so :focus-visible applies
    tab.page.keyboard.press("Tab")
    search = colors_of(tab, "#filter-q")
    assert search["outlineStyle"] == "solid"
    assert contrast(search["outline"], search["panel"]) >= 3, search
    assert contrast(search["outline"], search["background"]) >= 3, search
    date = colors_of(tab, "#filter-from")
    assert contrast(date["border"], date["background"]) >= 3, date
    assert contrast(date["border"], date["panel"]) >= 3, date
