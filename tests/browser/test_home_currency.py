"""The dashboard in the home currency: one headline total, per-currency totals beside it, both
charts on one axis in the home currency, all following the filters; the settings panel."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.ui import Tab
from tests.support.api import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def seed_three_currencies(user: User) -> None:
    assert user.client.patch("/api/me", json={"home_currency": "EUR"}).status_code == 200
    user.add(amount="10.00", currency="EUR", category="Food", date="2024-12-24")
    # Christmas Day has no fixing: 24 December's USD 1.0395 applies, so exactly 20.00 EUR.
    user.add(amount="20.79", currency="USD", category="Food", date="2024-12-25")
    # GBP 0.82805 that day: 100.006... EUR.
    user.add(
        amount="82.81", currency="GBP", category="Travel", date="2024-12-24", description="Train"
    )


def value_axes(tab: Tab, chart_id: str) -> list[str]:
    """The titles of the chart's value axes (each names its currency)."""
    tab.chart_data(chart_id)
    axes: list[str] = tab.page.evaluate(
        """(id) => [...document.querySelectorAll(`#${id} .value-axis`)]
            .map((axis) => axis.dataset.title)""",
        chart_id,
    )
    return axes


def bars(tab: Tab, chart_id: str) -> dict[tuple[str, str], Any]:
    """{(label, original currency): (original amount, plotted home value)}."""
    tab.chart_data(chart_id)
    data: list[list[Any]] = tab.page.evaluate(
        """(id) => [...document.querySelectorAll(`#${id} .bar`)].map((bar) =>
            [bar.closest('.band').dataset.label, bar.dataset.series, bar.dataset.amount,
             bar.dataset.home ?? null])""",
        chart_id,
    )
    return {
        (label, c): (amount, None if value is None else round(float(value), 2))
        for label, c, amount, value in data
    }


def home_total(tab: Tab) -> Any:
    return tab.page.locator("#home-total")


def test_three_currencies_read_as_one_total_on_one_axis(tab: Tab, user: User) -> None:
    seed_three_currencies(user)
    tab.sign_in(user.email)

    expect(home_total(tab)).to_have_attribute("data-amount", "130.01")
    expect(home_total(tab)).to_have_attribute("data-currency", "EUR")
    for currency, amount in [("EUR", "10.00"), ("USD", "20.79"), ("GBP", "82.81")]:
        item = tab.page.locator(f"#totals li[data-currency={currency}]")
        expect(item).to_have_attribute("data-amount", amount)
    assert bars(tab, "chart-category") == {
        ("Food", "EUR"): ("10.00", 10),
        ("Food", "USD"): ("20.79", 20),
        ("Travel", "GBP"): ("82.81", 100.01),
    }
    for chart in ("chart-category", "chart-month"):
        assert value_axes(tab, chart) == ["EUR"], chart  # one scale, in the home currency
    expect(tab.page.locator("#chart-month")).to_have_attribute(
        "aria-label", "Spending by month, in EUR"
    )
    expect(tab.page.locator("#home-missing")).to_be_hidden()


def test_totals_and_charts_follow_every_filter_and_say_so(tab: Tab, user: User) -> None:
    seed_three_currencies(user)
    user.add(amount="5.00", currency="ARS", category="Food", date="2024-12-24")
    tab.sign_in(user.email)
    expect(tab.page.locator("#home-missing")).to_contain_text("1 expense in ARS")

    tab.filter(category="Food")
    expect(home_total(tab)).to_have_attribute("data-amount", "30.00")
    expect(tab.page.locator("#period-label")).to_contain_text("category “Food”")
    expect(tab.page.locator("#totals li[data-currency=GBP]")).to_have_count(0)
    assert ("Travel", "GBP") not in bars(tab, "chart-category")

    tab.filter(category="", q="train")
    expect(home_total(tab)).to_have_attribute("data-amount", "100.01")
    expect(tab.page.locator("#period-label")).to_contain_text("matching “train”")
    expect(tab.page.locator("#home-missing")).to_be_hidden()

    tab.filter(q="", **{"from": "2024-12-25", "to": "2024-12-31"})
    expect(home_total(tab)).to_have_attribute("data-amount", "20.00")
    expect(tab.page.locator("#period-label")).to_contain_text("Dec 25, 2024")


def test_settings_change_the_home_currency_and_the_locale(tab: Tab, user: User) -> None:
    seed_three_currencies(user)
    tab.sign_in(user.email)
    expect(home_total(tab)).to_have_attribute("data-amount", "130.01")

    form = tab.page.locator("#settings-form")
    form.get_by_label("Home currency").select_option("USD")
    form.get_by_label("Locale").fill("de-DE")
    form.get_by_role("button", name="Save settings").click()

    expect(home_total(tab)).to_have_attribute("data-currency", "USD")
    expect(home_total(tab)).to_contain_text("$")
    expect(home_total(tab)).to_contain_text(",")  # de-DE writes the decimal comma
    me = user.client.get("/api/me").json()
    assert (me["home_currency"], me["locale"]) == ("USD", "de-DE")

    tab.allow(r"status of 422")  # the refused save below
    form.get_by_label("Locale").fill("no such locale")
    form.get_by_role("button", name="Save settings").click()
    expect(form.locator("[data-error-for=locale]")).to_be_visible()
    assert user.client.get("/api/me").json()["locale"] == "de-DE"


def test_de_de_amounts_are_typed_with_a_decimal_comma_and_sent_as_decimal_strings(
    tab: Tab, user: User
) -> None:
    changes = {"home_currency": "EUR", "locale": "de-DE"}
    assert user.client.patch("/api/me", json=changes).status_code == 200
    tab.sign_in(user.email)
    expect(tab.page.locator("#expense-form").get_by_label("Amount", exact=True)).to_have_attribute(
        "placeholder", "0,00"
    )

    tab.add_expense(
        amount="1.234,50", currency="EUR", category="Food", description="Sofa", date="2024-12-24"
    )

    items = user.client.get("/api/expenses").json()["items"]
    assert [(e["amount"], e["description"]) for e in items] == [("1234.50", "Sofa")]
    expect(home_total(tab)).to_have_attribute("data-amount", "1234.50")
    expect(home_total(tab)).to_contain_text("1.234,50")  # and shown the de-DE way
