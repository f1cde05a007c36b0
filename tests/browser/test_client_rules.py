"""The pages' own rules, run in the browser on their ES modules: the checks that mirror the
API's validation, the quick periods, and the charts' one-dataset-per-currency shaping."""

from __future__ import annotations

from typing import Any

import pytest

from expense_tracker.domain.currencies import MINOR_UNITS
from tests.browser.ui import Tab

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VALID = {
    "amount": "12.50",
    "currency": "EUR",
    "category": "Food",
    "description": "",
    "date": "2026-11-03",
}


def run_module(tab: Tab, module: str, body: str, arg: Any = None) -> Any:
    """Import /js/<module> in the page (allowed by its CSP: same origin) and run `body`."""
    tab.page.goto("/login.html")
    return tab.page.evaluate(
        f"async (arg) => {{ const m = await import('/js/{module}'); {body} }}", arg
    )


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({}, {}),
        ({"amount": "0.00"}, {"amount": "The amount must be more than zero."}),
        (
            {"amount": "1000000000000.01"},
            {"amount": "The amount must be at most 1,000,000,000,000."},
        ),
        ({"amount": "1000000000000"}, {}),
        ({"amount": "12,50"}, {"amount": "Use digits with a dot for decimals, such as 12.50."}),
        ({"amount": "1.5", "currency": "JPY"}, {"amount": "JPY amounts have no decimals."}),
        ({"amount": "1.505", "currency": "KWD"}, {}),
        ({"amount": "1.500", "currency": "IQD"}, {}),  # ISO says 3 digits, CLDR says 0
        ({"currency": "euro"}, {"currency": "Enter a currency code, such as EUR."}),
        ({"currency": "ABC"}, {"currency": "Enter a currency code, such as EUR."}),
        ({"category": "x" * 65}, {"category": "At most 64 characters."}),
        ({"description": "d" * 501}, {"description": "At most 500 characters."}),
        ({"date": "2026-02-30"}, {"date": "Enter a real date."}),
        ({"date": "1969-12-31"}, {"date": "The date must be 1970-01-01 or later."}),
    ],
)
def test_expense_checks_mirror_the_api(
    tab: Tab, changes: dict[str, str], problems: dict[str, str]
) -> None:
    found = run_module(tab, "expense-form.js", "return m.checkExpense(arg);", {**VALID, **changes})
    assert found == problems


def test_quick_periods_cover_whole_months_and_years(tab: Tab) -> None:
    ranges = run_module(
        tab,
        "filters.js",
        """const january = new Date(2027, 0, 15);
        return ['month', 'last-month', 'year', 'all'].map((p) => m.presetRange(p, january));""",
    )
    assert ranges == [
        ["2027-01-01", "2027-01-31"],
        ["2026-12-01", "2026-12-31"],
        ["2027-01-01", "2027-12-31"],
        ["", ""],
    ]


def test_chart_datasets_keep_currencies_apart_on_one_home_axis(tab: Tab) -> None:
    rows = [
        {"category": "Food", "currency": "EUR", "amount": "10.00", "home_amount": "10.00"},
        {"category": "Food", "currency": "USD", "amount": "7.25", "home_amount": "6.90"},
        {"category": "Rent", "currency": "EUR", "amount": "900.00", "home_amount": "900.00"},
    ]
    datasets = run_module(
        tab,
        "analytics.js",
        """return m.datasetsByCurrency(arg, (row) => row.category, ['Food', 'Rent'])
            .map((d) => [d.label, d.amounts, d.data, d.xAxisID ?? null]);""",
        rows,
    )
    assert datasets == [
        ["EUR", ["10.00", "900.00"], [10, 900], None],
        ["USD", ["7.25", None], [6.9, None], None],
    ]


def test_the_pages_know_the_same_currencies_as_the_api(tab: Tab) -> None:
    table = run_module(tab, "currencies.js", "return m.MINOR_UNITS;")
    assert table == MINOR_UNITS


def test_amounts_show_exactly_their_currencys_digits(tab: Tab) -> None:
    shown = run_module(
        tab,
        "format.js",
        "return arg.map(([amount, currency]) => m.formatMoney(amount, currency));",
        [["1.500", "IQD"], ["1200", "JPY"], ["12.50", "EUR"], ["1000000000000.00", "USD"]],
    )
    assert shown == ["IQD\xa01.500", "¥1,200", "€12.50", "$1,000,000,000,000.00"]
