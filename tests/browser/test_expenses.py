"""The dashboard's list: add, validate, filter, edit in place, delete, scroll for more, and
keep each user's expenses to themselves."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.conftest import TabFactory
from tests.browser.ui import Tab, eventually
from tests.support.api import Api, User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_added_expenses_are_listed_newest_first_in_their_currency(tab: Tab, user: User) -> None:
    assert user.client.patch("/api/me", json={"default_currency": "EUR"}).status_code == 200
    tab.sign_in(user.email)
    form = tab.page.locator("#expense-form")
    expect(form.get_by_label("Currency")).to_have_value("EUR")  # the user's default, from /api/me

    tab.add_expense(amount="12.50", category="Food", description="Lunch", date="2026-11-03")
    tab.add_expense(
        amount="1200", currency="JPY", category="Food", description="Ramen", date="2026-11-10"
    )
    tab.add_expense(amount="3.2", category="Transport", description="Bus", date="2026-10-30")

    assert tab.descriptions() == ["Ramen", "Lunch", "Bus"]
    assert tab.amounts() == ["¥1,200", "€12.50", "€3.20"]
    stored = user.client.get("/api/expenses").json()["items"]
    assert [(e["amount"], e["currency"]) for e in stored] == [
        ("1200", "JPY"),
        ("12.50", "EUR"),
        ("3.20", "EUR"),
    ]
    # The new category is now among the suggestions (a <datalist> fed by /api/categories).
    expect(tab.page.locator("#category-options option[value='Transport']")).to_have_count(1)


def test_invalid_input_is_flagged_under_its_field(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    form = tab.page.locator("#expense-form")
    tab.fill_expense(form, amount="12.345", currency="EUR", category="")
    form.get_by_role("button", name="Add expense").click()
    expect(form.locator("[data-error-for=amount]")).to_have_text(
        "EUR amounts have at most 2 decimals."
    )
    expect(form.locator("[data-error-for=category]")).to_have_text("Enter a category.")
    expect(form.get_by_label("Amount")).to_be_focused()

    # What only the API checks (a control character): its problem+json errors[] lands under
    # the field it names.
    tab.allow("status of 422")
    tab.fill_expense(form, amount="5", currency="EUR", category="Food", description="Bell\u0007")
    form.get_by_role("button", name="Add expense").click()
    refused = user.client.post(
        "/api/expenses",
        json={"amount": "5", "currency": "EUR", "category": "Food", "description": "Bell\u0007"},
    )
    said = {e["field"]: e["message"] for e in refused.json()["errors"]}
    expect(form.locator("[data-error-for=description]")).to_contain_text(said["description"])
    expect(form.get_by_label("Description")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Description")).to_be_focused()
    expect(form.locator("[data-error-for=amount]")).to_be_hidden()
    assert user.client.get("/api/expenses").json()["items"] == []


def test_filters_narrow_the_list_by_period_category_and_text(tab: Tab, user: User) -> None:
    user.add(amount="10.00", category="Food", description="Lunch", date="2026-09-15")
    user.add(amount="20.00", category="Food", description="Dinner", date="2026-10-15")
    user.add(amount="30.00", category="Travel", description="Train to Lyon", date="2026-10-20")
    user.add(amount="40.00", category="Travel", description="Hotel", date="2026-11-02")
    tab.sign_in(user.email)
    expect(tab.rows()).to_have_count(4)

    tab.filter(**{"from": "2026-10-01", "to": "2026-10-31"})
    expect(tab.rows()).to_have_count(2)
    assert tab.descriptions() == ["Train to Lyon", "Dinner"]

    tab.filter(category="Travel")
    expect(tab.rows()).to_have_count(1)
    assert tab.descriptions() == ["Train to Lyon"]

    tab.filter(**{"from": "", "to": "", "category": "", "q": "lyon"})
    expect(tab.rows()).to_have_count(1)
    expect(tab.page).to_have_url(re.compile(r"\?q=lyon$"))  # a reload keeps the view
    tab.page.reload()
    expect(tab.rows()).to_have_count(1)
    expect(tab.page.locator("#filter-q")).to_have_value("lyon")


def test_edit_in_place_saves_with_the_version_it_was_read_at(tab: Tab, user: User) -> None:
    expense = user.add(amount="8.00", category="Food", description="Sandwich", date="2026-11-01")
    tab.sign_in(user.email)
    row = tab.row("Sandwich")
    row.get_by_role("button", name=re.compile("^Edit")).click()
    editor = tab.page.get_by_role("form", name="Edit expense")
    tab.fill_expense(editor, amount="9.50", description="Sandwich and coffee")
    editor.get_by_role("button", name="Save").click()

    expect(tab.row("Sandwich and coffee").locator(".expense-amount")).to_have_text("€9.50")
    stored = user.client.get(f"/api/expenses/{expense['id']}").json()
    assert (stored["amount"], stored["description"], stored["version"]) == (
        "9.50",
        "Sandwich and coffee",
        2,
    )


def test_editing_a_stale_expense_shows_the_latest_version(tab: Tab, user: User) -> None:
    expense = user.add(amount="8.00", category="Food", description="Soup", date="2026-11-01")
    tab.sign_in(user.email)
    tab.row("Soup").get_by_role("button", name=re.compile("^Edit")).click()
    changed = user.client.patch(f"/api/expenses/{expense['id']}", json={"amount": "8.80"})
    assert changed.status_code == 200  # meanwhile, on another device

    tab.allow("status of 412")
    editor = tab.page.get_by_role("form", name="Edit expense")
    tab.fill_expense(editor, amount="7.00")
    editor.get_by_role("button", name="Save").click()
    expect(tab.page.locator("#toast")).to_contain_text("changed elsewhere")
    expect(editor.get_by_label("Amount")).to_have_value("8.80")
    assert user.client.get(f"/api/expenses/{expense['id']}").json()["amount"] == "8.80"


def test_escape_cancels_an_edit_without_saving(tab: Tab, user: User) -> None:
    expense = user.add(amount="4.00", category="Food", description="Tea", date="2026-11-01")
    tab.sign_in(user.email)
    tab.row("Tea").get_by_role("button", name=re.compile("^Edit")).click()
    editor = tab.page.get_by_role("form", name="Edit expense")
    editor.get_by_label("Amount").fill("400")
    editor.get_by_label("Amount").press("Escape")
    expect(editor).to_have_count(0)
    expect(tab.row("Tea").locator(".expense-amount")).to_have_text("€4.00")
    expect(tab.row("Tea").get_by_role("button", name=re.compile("^Edit"))).to_be_focused()
    assert user.client.get(f"/api/expenses/{expense['id']}").json()["version"] == 1


def test_delete_asks_first_and_then_removes_the_expense(tab: Tab, user: User) -> None:
    keep = user.add(amount="1.00", category="Food", description="Keep me", date="2026-11-01")
    doomed = user.add(amount="2.00", category="Food", description="Delete me", date="2026-11-02")
    tab.sign_in(user.email)
    dialog = tab.page.get_by_role("dialog")

    tab.row("Delete me").get_by_role("button", name=re.compile("^Delete")).click()
    expect(dialog).to_contain_text("You can undo this for a few seconds.")
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_be_hidden()
    expect(tab.rows()).to_have_count(2)

    tab.row("Delete me").get_by_role("button", name=re.compile("^Delete")).click()
    dialog.get_by_role("button", name="Delete").click()
    expect(tab.rows()).to_have_count(1)
    assert tab.descriptions() == ["Keep me"]
    # Deleted for good once the Undo offer runs out.
    eventually(lambda: user.client.get(f"/api/expenses/{doomed['id']}").status_code == 404)
    assert user.client.get(f"/api/expenses/{keep['id']}").status_code == 200


def test_scrolling_down_loads_the_next_page(tab: Tab, user: User) -> None:
    lines = ["date,amount,currency,category,description"]
    lines += [f"2026-10-{1 + n % 28:02d},{n + 1}.00,EUR,Food,Meal {n}" for n in range(60)]
    imported = user.client.post(
        "/api/expenses/import",
        content="\n".join(lines).encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert imported.json()["imported"] == 60, imported.text
    tab.sign_in(user.email)
    expect(tab.rows()).to_have_count(50)
    tab.page.locator("#load-more").scroll_into_view_if_needed()
    expect(tab.rows()).to_have_count(60)
    expect(tab.page.locator("#load-more")).to_be_hidden()
    descriptions = tab.descriptions()
    assert len(set(descriptions)) == 60


def test_a_second_user_sees_none_of_the_first_users_data(
    open_tab: TabFactory, user: User, web_api: Api
) -> None:
    user.add(amount="99.00", category="Secret", description="First user's only", date="2026-11-01")
    other = web_api.new_user("other")
    tab = open_tab()
    tab.sign_in(other.email)
    expect(tab.page.locator("#list-empty")).to_be_visible()
    expect(tab.rows()).to_have_count(0)
    expect(tab.page.locator("#totals li")).to_have_count(0)
    assert "Secret" not in [
        o.get_attribute("value") for o in tab.page.locator("#category-options option").all()
    ]
    expect(tab.page.get_by_text("First user's only")).to_have_count(0)
    other.client.close()


def tab_to(tab: Tab, target: Locator, presses: int = 6) -> None:
    """Press Tab until `target` has the focus (a date field takes several: its parts and
    its calendar button)."""
    for _ in range(presses):
        tab.page.keyboard.press("Tab")
        if target.evaluate("(node) => node === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def test_an_expense_can_be_added_and_deleted_with_the_keyboard_alone(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    keys = tab.page.keyboard
    form = tab.page.locator("#expense-form")
    form.get_by_label("Amount").focus()
    keys.type("6.40")
    tab_to(tab, form.get_by_label("Category"))  # past the currency: the default stays
    keys.type("Food")
    tab_to(tab, form.get_by_label("Date"))
    keys.type("11032026")  # month, day, year
    tab_to(tab, form.get_by_label("Description"))
    keys.type("Bagel")
    keys.press("Enter")
    expect(tab.rows()).to_have_count(1)
    assert tab.descriptions() == ["Bagel"]
    expense = user.client.get("/api/expenses").json()["items"][0]
    assert (expense["amount"], expense["currency"], expense["date"]) == (
        "6.40",
        "USD",
        "2026-11-03",
    )

    tab.row("Bagel").get_by_role("button", name=re.compile("^Delete")).focus()
    keys.press("Enter")
    expect(tab.page.get_by_role("button", name="Keep it")).to_be_focused()
    keys.press("Tab")
    expect(tab.page.get_by_role("dialog").get_by_role("button", name="Delete")).to_be_focused()
    keys.press("Enter")
    expect(tab.rows()).to_have_count(0)
    eventually(lambda: user.client.get("/api/expenses").json()["items"] == [])
