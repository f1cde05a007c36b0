"""Export jobs from the dashboard: the evidence pack and CSV of the current filters, with the
status while it runs and a download button when it is ready."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from expense_tracker.services.pack_check import verify_pack
from tests.browser.ui import Tab
from tests.support import receipt_files as files
from tests.support.api import Api, User

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def attach(api: Api, user: User, png: bytes) -> dict[str, Any]:
    """An expense with a receipt, uploaded as a browser would (the ticket's url and fields)."""
    expense = user.add()
    path = f"/api/expenses/{expense['id']}/receipt"
    ticket = user.client.post(
        f"{path}/upload", json={"content_type": "image/png", "size": len(png)}
    )
    ticket.raise_for_status()
    with api.client() as anonymous:
        sent = anonymous.post(
            urljoin(api.base_url, ticket.json()["url"]),
            data=ticket.json()["fields"],
            files={"file": ("receipt.png", png, "image/png")},
        )
    assert sent.status_code == 204, sent.text
    confirmed = user.client.post(f"{path}/confirm")
    confirmed.raise_for_status()
    result: dict[str, Any] = confirmed.json()
    return result


def export(tab: Tab, format_label: str) -> Path:
    panel = tab.page.locator("#export-jobs")
    panel.get_by_label(format_label, exact=True).check()
    panel.get_by_role("button", name="Start export").click()
    status = tab.page.locator("#export-job-status")
    expect(status).to_contain_text("is ready")
    with tab.page.expect_download() as started:
        status.get_by_role("button", name=re.compile(r"^Download")).click()
    return Path(started.value.path())


def test_evidence_pack_of_the_filtered_period_downloads_and_verifies(
    tab: Tab, user: User, web_api: Api, tmp_path: Path
) -> None:
    receipt = attach(web_api, user, files.image_bytes("PNG"))
    user.client.patch(
        f"/api/expenses/{receipt['id']}", json={"date": "2026-11-03"}, headers={"If-Match": '"2"'}
    ).raise_for_status()
    user.add(amount="20.00", category="Travel", description="Train", date="2026-11-05")
    user.add(amount="7.00", category="Food", description="Old", date="2026-10-01")
    tab.sign_in(user.email)
    tab.filter(**{"from": "2026-11-01", "to": "2026-11-30"})
    expect(tab.rows()).to_have_count(2)

    path = export(tab, "Evidence pack (ZIP: CSV, JSON, receipts, rates, checksums)")
    expect(tab.page.locator("#export-job-status")).to_contain_text("2 expenses")
    report = verify_pack(path)
    assert report.ok, report.problems
    with zipfile.ZipFile(path) as pack:
        manifest = json.loads(pack.read("manifest.json"))
        assert f"receipts/{receipt['id']}.png" in pack.namelist()
    assert manifest["filters"]["from"] == "2026-11-01" and manifest["expenses"] == 2


def test_csv_export_job_uses_the_search_box(tab: Tab, user: User) -> None:
    user.add(description="Lunch with Ada", date="2026-11-05")
    user.add(description="Dinner", date="2026-11-06")
    tab.sign_in(user.email)
    tab.filter(q="ada")
    expect(tab.rows()).to_have_count(1)
    rows = list(csv.DictReader(io.StringIO(export(tab, "CSV").read_text("utf-8"))))
    assert [r["description"] for r in rows] == ["Lunch with Ada"]
    expect(tab.page.locator("#export-job-progress")).to_be_hidden()
    expect(tab.page.get_by_role("button", name="Start export")).to_be_enabled()


def test_each_export_format_radio_sits_beside_its_label(tab: Tab, user: User) -> None:
    tab.sign_in(user.email)
    for name in ("CSV", "JSON", "Evidence pack"):
        radio = tab.page.get_by_role("radio", name=re.compile(f"^{name}"))
        label = tab.page.locator("#export-job-form label.check", has=radio)
        radio_box, label_box = radio.bounding_box(), label.bounding_box()
        assert radio_box is not None and label_box is not None
        # Not stretched like a text field: a small box at the start of its label's line.
        assert radio_box["width"] < 30, radio_box
        assert radio_box["x"] - label_box["x"] < 10, (radio_box, label_box)
