"""Export the filtered range as CSV or JSON, and import a CSV with its per-line errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.ui import Tab, upload
from tests.support.api import User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
HEADER = "id,date,amount,currency,category,description,receipt,created_at,updated_at"


def download(tab: Tab, button: str) -> tuple[str, str]:
    with tab.page.expect_download() as started:
        tab.page.get_by_role("button", name=button).click()
    file = started.value
    return file.suggested_filename, Path(file.path()).read_text(encoding="utf-8")


def test_export_downloads_only_the_filtered_range(tab: Tab, user: User) -> None:
    user.add(amount="10.00", category="Food", description="=cmd|' /C calc'!A0", date="2026-10-05")
    user.add(amount="20.00", category="Travel", description="Train", date="2026-11-05")
    user.add(amount="7.00", category="Food", description="=1+1", date="2026-11-06")
    tab.sign_in(user.email)
    tab.filter(**{"from": "2026-11-01", "to": "2026-11-30"})
    expect(tab.rows()).to_have_count(2)

    name, text = download(tab, "Export CSV")
    assert re.fullmatch(r"expenses-\d{4}-\d{2}-\d{2}\.csv", name)
    assert text.splitlines()[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["date"], r["amount"], r["description"]) for r in rows] == [
        ("2026-11-06", "7.00", "'=1+1"),  # a formula is defused, as the API promises
        ("2026-11-05", "20.00", "Train"),
    ]

    name, text = download(tab, "Export JSON")
    assert name.endswith(".json")
    assert [e["description"] for e in json.loads(text)] == ["=1+1", "Train"]


def test_import_shows_line_errors_and_imports_nothing_unless_asked(tab: Tab, user: User) -> None:
    csv_text = "\n".join(
        [
            "date,amount,currency,category,description",
            "2026-11-01,4.50,EUR,Food,Coffee",
            "2026-11-02,lots,EUR,Food,Cake",
            "2026-11-03,12.00,EUR,Books,Novel",
        ]
    ).encode()
    bank_file = upload("bank.csv", "text/csv", csv_text)
    tab.sign_in(user.email)
    form = tab.page.locator("#import-form")
    result = tab.page.locator("#import-result")

    form.get_by_label("CSV file to import").set_input_files(files=[bank_file])
    form.get_by_role("button", name="Import", exact=True).click()
    expect(result).to_contain_text("Imported 0 expenses. Nothing was imported")
    expect(result.locator("li")).to_have_count(1)
    expect(result.locator("li")).to_contain_text(re.compile(r"^Line 3: "))
    expect(tab.rows()).to_have_count(0)

    form.get_by_label("CSV file to import").set_input_files(files=[bank_file])
    form.get_by_label("Import the valid lines even if some have errors").check()
    form.get_by_role("button", name="Import", exact=True).click()
    expect(result).to_contain_text("Imported 2 expenses.")
    expect(result.locator("li")).to_contain_text(re.compile(r"^Line 3: "))
    expect(tab.rows()).to_have_count(2)
    assert tab.descriptions() == ["Novel", "Coffee"]
    expect(tab.page.locator("#totals li")).to_have_text(["€16.50 2 expenses"])
    stored = user.client.get("/api/expenses").json()["items"]
    assert [e["amount"] for e in stored] == ["12.00", "4.50"]
