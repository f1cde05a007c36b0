"""The statement import dialog (issue 12's page): the detected format and first rows, a
column mapping for a bank's own CSV, the job's progress and its result, duplicates when the
same statement comes twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.ui import Tab
from tests.support.api import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
STATEMENTS = Path(__file__).resolve().parents[1] / "data" / "statements"


def open_dialog(tab: Tab) -> Locator:
    tab.page.get_by_role("button", name="Import a bank statement…").click()
    dialog = tab.page.get_by_role("dialog", name="Import a bank statement")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Statement file")).to_be_focused()
    return dialog


def choose(dialog: Locator, name: str) -> None:
    dialog.get_by_label("Statement file").set_input_files(str(STATEMENTS / name))


def import_and_wait(dialog: Locator) -> Locator:
    dialog.get_by_role("button", name="Import", exact=True).click()
    result = dialog.locator("#statement-result")
    expect(result).to_contain_text("Imported", timeout=30_000)
    expect(result).to_be_focused()
    return result


def test_a_banks_own_csv_is_previewed_mapped_and_imported_with_line_errors(
    tab: Tab, user: User
) -> None:
    tab.sign_in(user.email)
    dialog = open_dialog(tab)
    choose(dialog, "bank_mapped_de.csv")
    expect(dialog.get_by_role("status").first).to_contain_text("Detected format: CSV (your bank's")
    preview = dialog.get_by_role("table", name="The first rows of the file")
    expect(preview.get_by_role("columnheader")).to_have_text(
        ["Buchungstag", "Wertstellung", "Betrag", "Währung", "Verwendungszweck"]
    )
    expect(preview.get_by_role("row").nth(2)).to_contain_text("Bäckerei; Brötchen")
    mapping = dialog.get_by_role("group", name="Which column is which")
    mapping.get_by_label("Date column").select_option("Wertstellung")  # a person's choice wins
    mapping.get_by_label("Date column").select_option("Buchungstag")
    expect(mapping.get_by_label("Amount column")).to_have_value("Betrag")  # guessed
    mapping.get_by_label("Currency column").select_option("Währung")
    mapping.get_by_label("Description column").select_option("Verwendungszweck")
    mapping.get_by_label("Date format").select_option("%d.%m.%Y")
    mapping.get_by_label("Decimal separator").select_option(",")
    dialog.get_by_label("Import the valid rows even if some have errors").check()

    result = import_and_wait(dialog)
    expect(result).to_contain_text("Imported 2 expenses.")
    expect(result).to_contain_text("1 row skipped (money in or transfers).")
    expect(result.locator("li[data-line='5']")).to_contain_text("Line 5:")
    tab.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(tab.page.get_by_role("button", name="Import a bank statement…")).to_be_focused()
    expect(tab.row("Miete November")).to_have_count(1)
    expect(tab.row("Miete November").locator(".expense-amount")).to_contain_text("1,234.50")
    amounts = sorted(e["amount"] for e in user.client.get("/api/expenses").json()["items"])
    assert amounts == ["1234.50", "3.20"]


def test_an_ofx_statement_imported_twice_adds_nothing_the_second_time(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    dialog = open_dialog(tab)
    choose(dialog, "ofx_v1_sgml.ofx")
    expect(dialog.get_by_role("status").first).to_have_text("Detected format: OFX.")
    preview = dialog.get_by_role("table", name="The first rows of the file")
    expect(preview.get_by_role("row").nth(1)).to_contain_text("TESCO STORES 2041")
    expect(preview.get_by_role("row").nth(1)).to_contain_text("2026-11-03")
    expect(dialog.get_by_role("group", name="Which column is which")).to_be_hidden()
    first = import_and_wait(dialog)
    expect(first).to_contain_text("Imported 2 expenses.")
    expect(first).not_to_contain_text("duplicate")
    expect(tab.row("TESCO STORES 2041")).to_have_count(1)
    count = len(user.client.get("/api/expenses").json()["items"])

    choose(dialog, "ofx_v1_sgml.ofx")
    again = import_and_wait(dialog)
    expect(again).to_contain_text("Imported 0 expenses. 2 duplicates already imported")
    assert len(user.client.get("/api/expenses").json()["items"]) == count
    expect(tab.row("TESCO STORES 2041")).to_have_count(1)


BANK_FORMAT_PREVIEWS = [
    (
        "qif_bank_splits.qif",
        "QIF",
        [["11/03/2026", "-42.10", "TESCO STORES 2041"], ["11/ 5'26", "-120.00", "Costco"]],
    ),
    (
        "camt053_batched.xml",
        "CAMT.053",
        [
            ["2026-11-03", "-23.40 EUR", "Einkauf 03.11."],
            ["2026-11-05", "-150.00 EUR", "Strom November"],
        ],
    ),
    (
        "mt940_multiline.sta",
        "MT940",
        [["2026-11-03", "-42,10", "Kartenzahlung"], ["2026-11-05", "-3,50", "Blue Bottle Coffee"]],
    ),
]


@pytest.mark.parametrize(("name", "format_name", "first_rows"), BANK_FORMAT_PREVIEWS)
def test_a_bank_format_shows_its_detected_format_and_first_rows(
    tab: Tab, user: User, name: str, format_name: str, first_rows: list[list[str]]
) -> None:
    tab.sign_in(user.email)
    dialog = open_dialog(tab)
    choose(dialog, name)
    expect(dialog.get_by_role("status").first).to_have_text(f"Detected format: {format_name}.")
    preview = dialog.get_by_role("table", name="The first rows of the file")
    expect(preview.get_by_role("columnheader")).to_have_text(["Date", "Amount", "Description"])
    for index, cells in enumerate(first_rows, start=1):
        row = preview.get_by_role("row").nth(index)
        for cell in cells:
            expect(row).to_contain_text(cell)
    expect(dialog.get_by_role("group", name="Which column is which")).to_be_hidden()
    day_first = dialog.get_by_label("Dates are day first")
    if format_name == "QIF":  # QIF dates can be either way round: the person says
        expect(day_first).to_be_visible()
    else:
        expect(day_first).to_be_hidden()
