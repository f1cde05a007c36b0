"""The account page in Chromium (issue 18): reached from the dashboard; change the password
then sign in with the new one; sign out everywhere; delete the account after a confirmation
that asks for the password. No axe-core violations, light and dark."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TabFactory
from tests.browser.test_dashboard_app import axe_violations
from tests.browser.ui import Tab
from tests.support.api import Api, User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEW_PASSWORD = "a different horse, a different staple"


def open_account(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    tab.page.get_by_role("link", name="Account").click()
    tab.page.wait_for_url("**/account.html")
    expect(tab.page.locator("body")).to_have_attribute("data-ready", "true")
    expect(tab.page.locator("#who-email")).to_have_text(user.email)


def login_status(api: Api, email: str, password: str) -> int:
    with api.client() as anonymous:
        body = {"email": email, "password": password}
        return anonymous.post("/api/auth/login", json=body).status_code


def test_changing_the_password_then_signing_in_with_the_new_one(
    open_tab: TabFactory, user: User, web_api: Api
) -> None:
    tab = open_tab()
    open_account(tab, user)
    form = tab.page.locator("#password-form")
    form.get_by_label("Current password").fill(user.password)
    form.get_by_label("New password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(tab.page.locator("#toast")).to_contain_text("Password changed")
    expect(tab.page.locator("#password")).to_be_focused()
    assert login_status(web_api, user.email, user.password) == 401
    elsewhere = open_tab()  # another browser: the old password fails, the new one works
    elsewhere.allow("401")
    elsewhere.sign_in(user.email, user.password, expect_dashboard=False)
    expect(
        elsewhere.page.get_by_text("That e-mail and password do not match an account.")
    ).to_be_visible()
    elsewhere.sign_in(user.email, NEW_PASSWORD)


def test_a_wrong_current_password_is_shown_under_its_field_and_keeps_the_session(
    tab: Tab, user: User
) -> None:
    tab.allow("401")
    open_account(tab, user)
    form = tab.page.locator("#password-form")
    form.get_by_label("Current password").fill("not my password at all")
    form.get_by_label("New password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    error = form.locator("[data-error-for='current_password']")
    expect(error).to_have_text("That password is not right.")
    expect(form.get_by_label("Current password")).to_be_focused()
    assert tab.page.url.endswith("/account.html")  # still signed in


def test_sign_out_everywhere_ends_this_session_and_the_others(
    tab: Tab, user: User, web_api: Api
) -> None:
    open_account(tab, user)
    tab.page.get_by_role("button", name="Sign out everywhere").click()
    tab.page.wait_for_url("**/login.html?signed-out=1")
    with web_api.client() as anonymous:
        other_device = anonymous.post(
            "/api/auth/refresh", json={"refresh_token": user.refresh_token}
        )
    assert other_device.status_code == 401
    tab.page.goto("/tracker.html")
    tab.page.wait_for_url("**/login.html*")  # no session left in this tab either


def test_deleting_the_account_asks_first_and_keeping_it_changes_nothing(
    tab: Tab, user: User
) -> None:
    open_account(tab, user)
    opener = tab.page.get_by_role("button", name="Delete my account…")
    opener.click()
    dialog = tab.page.get_by_role("dialog", name="Delete your account and all its data?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Keep my account").click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    assert user.client.get("/api/me").status_code == 200


def test_deleting_the_account_with_the_password_removes_it(
    tab: Tab, user: User, web_api: Api
) -> None:
    tab.allow("401")
    user.add(amount="9.00", category="Food", description="Soup")
    open_account(tab, user)
    tab.page.get_by_role("button", name="Delete my account…").click()
    dialog = tab.page.get_by_role("dialog")
    dialog.get_by_label("Password").fill("not my password at all")
    dialog.get_by_role("button", name="Delete everything").click()
    expect(dialog.locator("[data-error-for='password']")).to_have_text(
        "That password is not right."
    )
    dialog.get_by_label("Password").fill(user.password)
    dialog.get_by_role("button", name="Delete everything").click()
    tab.page.wait_for_url("**/login.html?deleted=1")
    expect(tab.page.get_by_text("Your account and all its data were deleted.")).to_be_visible()
    assert login_status(web_api, user.email, user.password) == 401


@pytest.mark.parametrize(("viewport", "scheme"), [(None, "light"), (PHONE, "dark")],
                         ids=["desktop-light", "phone-dark"])  # fmt: skip
def test_axe_finds_no_violations_on_the_account_page(
    open_tab: TabFactory, user: User, viewport: dict[str, int] | None, scheme: str
) -> None:
    tab = open_tab(viewport=viewport, color_scheme=scheme)
    open_account(tab, user)
    assert axe_violations(tab) == []
    tab.page.get_by_role("button", name="Delete my account…").click()
    assert axe_violations(tab) == []
