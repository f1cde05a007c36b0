"""What a new user meets when things are slow, fail or are empty: loading states, errors in
words with a retry, and results that say exactly what happened (issue 18, items 1, 2, 7)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Route, expect

from tests.browser.ui import Tab, upload
from tests.support.api import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
LIST_REQUEST = re.compile(r"/api/expenses\?")
SUMMARY_REQUEST = re.compile(r"/api/analytics/summary")


def test_a_clean_import_says_how_many_and_nothing_else(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    form = tab.page.locator("#import-form")
    csv_text = b"date,amount,currency,category,description\n2026-11-01,4.50,EUR,Food,Coffee\n"
    form.get_by_label("CSV file to import").set_input_files(
        files=[upload("one.csv", "text/csv", csv_text)]
    )
    form.get_by_role("button", name="Import", exact=True).click()
    expect(tab.rows()).to_have_count(1)
    expect(tab.page.locator("#import-result")).to_have_text("Imported 1 expense.")


def test_a_failed_list_request_is_an_error_with_a_retry_not_an_empty_list(
    tab: Tab, user: User
) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    tab.allow("ERR_FAILED")
    tab.page.route(LIST_REQUEST, lambda route: route.abort("failed"))
    tab.sign_in(user.email)

    error = tab.page.locator("#list-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("The expenses could not be loaded.")
    expect(error).to_contain_text("The server cannot be reached. Check your connection")
    expect(error).not_to_contain_text("Failed to fetch")
    expect(tab.page.locator("#list-empty")).to_be_hidden()

    tab.page.unroute(LIST_REQUEST)
    error.get_by_role("button", name="Try again").click()
    expect(tab.row("Soup")).to_have_count(1)
    expect(error).to_be_hidden()


def test_a_server_error_in_the_totals_is_explained_and_can_be_retried(tab: Tab, user: User) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    tab.allow("status of 503")

    def unavailable(route: Route) -> None:
        route.fulfill(
            status=503,
            content_type="application/problem+json",
            body='{"title": "Service Unavailable", "status": 503, "detail": "storage: timeout"}',
        )

    tab.page.route(SUMMARY_REQUEST, unavailable)
    tab.sign_in(user.email)
    error = tab.page.locator("#analytics-error")
    expect(error).to_contain_text("The server had a problem. Please try again in a moment.")
    expect(error).not_to_contain_text("storage: timeout")

    tab.page.unroute(SUMMARY_REQUEST)
    error.get_by_role("button", name="Try again").click()
    expect(tab.page.locator("#totals li")).to_have_text(["€9.00 1 expense"])
    expect(error).to_be_hidden()


def test_the_list_and_totals_say_they_are_loading_while_the_api_is_slow(
    tab: Tab, user: User
) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    held: list[Route] = []
    tab.page.route(LIST_REQUEST, lambda route: held.append(route))
    tab.page.route(SUMMARY_REQUEST, lambda route: held.append(route))
    tab.sign_in(user.email, expect_dashboard=False)
    tab.page.wait_for_url("**/tracker.html*")

    expect(tab.page.locator("#list-status")).to_have_text("Loading expenses…")
    expect(tab.page.locator("#analytics-status")).to_be_visible()
    expect(tab.page.locator("#list-empty")).to_be_hidden()
    while len(held) < 2:  # both requests are waiting in the route
        tab.page.wait_for_timeout(50)
    for route in held:
        route.continue_()
    tab.wait_for_dashboard()
    expect(tab.page.locator("#list-status")).to_be_hidden()
    expect(tab.page.locator("#analytics-status")).to_be_hidden()
    expect(tab.row("Soup")).to_have_count(1)


def test_a_brand_new_user_is_told_how_to_start_not_to_change_filters(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    empty = tab.page.locator("#list-empty")
    expect(empty).to_have_text(
        "No expenses yet. Add your first one with the form above, or import a CSV file."
    )
    tab.filter(category="Travel")
    expect(empty).to_have_text("No expenses match these filters. Change or clear them to see more.")


def test_a_receipt_that_is_not_a_photo_is_explained_in_words(tab: Tab, user: User) -> None:
    user.add(amount="5.00", category="Food", description="Snack", date="2026-11-05")
    tab.sign_in(user.email)
    tab.allow("status of 422")
    tab.row("Snack").get_by_label(re.compile("^Attach a receipt")).set_input_files(
        files=[upload("fake.png", "image/png", b"plain text, not a PNG")]
    )
    expect(tab.page.locator("#toast-text")).to_have_text(
        "“fake.png” could not be read as a photo. Choose another photo or PDF."
    )


def test_a_refused_import_keeps_the_file_and_a_partial_one_is_not_red(tab: Tab, user: User) -> None:
    bank = upload(
        "bank.csv",
        "text/csv",
        b"date,amount,currency,category\n2026-11-01,4.50,EUR,Food\n2026-11-02,lots,EUR,Food\n",
    )
    tab.sign_in(user.email)
    form = tab.page.locator("#import-form")
    file_input = form.get_by_label("CSV file to import")
    result = tab.page.locator("#import-result")
    file_input.set_input_files(files=[bank])
    form.get_by_role("button", name="Import", exact=True).click()
    expect(result).to_contain_text("Nothing was imported")
    expect(result.locator("p").first).to_have_class("form-error")
    assert file_input.evaluate("(input) => [...input.files].map((f) => f.name)") == ["bank.csv"]

    form.get_by_label("Import the valid lines even if some have errors").check()
    form.get_by_role("button", name="Import", exact=True).click()
    expect(result.locator("p").first).to_have_text("Imported 1 expense.")
    expect(result.locator("p").first).to_have_class("success")
    expect(result).to_contain_text("1 line was skipped:")
    expect(result.locator("li")).to_have_count(1)


def test_a_link_with_filters_survives_signing_in_in_a_new_tab(tab: Tab, user: User) -> None:
    user.add(amount="9.00", category="Food", description="Soup", date="2026-11-02")
    user.add(amount="30.00", category="Travel", description="Train", date="2026-11-03")
    tab.page.goto("/tracker.html?category=Travel&from=2026-11-01")
    tab.page.wait_for_url("**/login.html?next=*")
    tab.sign_in_here(user.email)
    tab.wait_for_dashboard()
    assert tab.page.url.endswith("/tracker.html?category=Travel&from=2026-11-01")
    expect(tab.page.locator("#filter-category")).to_have_value("Travel")
    expect(tab.rows()).to_have_count(1)
    assert tab.descriptions() == ["Train"]


def test_sign_in_never_sends_the_user_to_another_site(tab: Tab, user: User) -> None:
    tab.page.goto("/login.html?next=https://example.org/tracker.html")
    tab.sign_in_here(user.email)
    tab.wait_for_dashboard()
    assert re.search(r"^http://127\.0\.0\.1:\d+/tracker\.html$", tab.page.url), tab.page.url
