"""Export jobs over HTTP, on both backends: start, poll, download through the signed link
(a local signed URL, or S3's presigned GET from the multipart upload), and the evidence pack
checked by verify-pack and by an independent reader."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from expense_tracker.services.pack_check import verify_pack
from tests.http.test_receipts import attach, fetch, view_link
from tests.support import receipt_files as files
from tests.support.api import Api, User
from tests.support.checks import assert_problem
from tests.support.jobs import wait_for_job


def start(user: User, **body: Any) -> str:
    response = user.client.post("/api/exports", json=body)
    assert response.status_code == 202, response.text
    export_id: str = response.json()["id"]
    assert response.headers["location"] == f"/api/exports/{export_id}"
    return export_id


def finished(user: User, export_id: str) -> dict[str, Any]:
    body = wait_for_job(user.client, f"/api/exports/{export_id}")
    assert body["status"] == "done", body
    return body


def download(api: Api, status: dict[str, Any]) -> bytes:
    link = status["download"]
    assert isinstance(link, str)
    got = fetch(api, link)
    assert got.status_code == 200, got.text
    assert len(got.content) == status["bytes"]
    return got.content


def test_csv_export_job_matches_the_streaming_export_for_the_same_filters(
    api: Api, user: User
) -> None:
    user.add(category="Food", description="=SUM(A1)", date="2026-03-01")
    user.add(category="Food", date="2026-04-01")
    user.add(category="Travel", date="2026-04-02")
    status = finished(user, start(user, format="csv", category="Food", **{"from": "2026-01-01"}))
    assert status["rows"] == 2 and status["format"] == "csv" and status["error"] is None
    expected = user.client.get(
        "/api/expenses/export", params={"format": "csv", "category": "Food", "from": "2026-01-01"}
    )
    assert download(api, status) == expected.content
    assert b"'=SUM(A1)" in expected.content


def test_json_export_job_holds_my_records_only(api: Api, user: User, other_user: User) -> None:
    mine = user.add(description="mine")
    other_user.add(description="theirs")
    status = finished(user, start(user, format="json"))
    records = json.loads(download(api, status))
    assert [r["id"] for r in records] == [mine["id"]]
    assert records[0] == user.client.get(f"/api/expenses/{mine['id']}").json()


def test_evidence_pack_verifies_and_an_independent_reader_agrees(
    api: Api, user: User, tmp_path: Path
) -> None:
    with_receipt = attach(api, user, files.image_bytes("PNG"))
    plain = user.add(category="Rent", amount="900.00", currency="USD")
    status = finished(user, start(user, format="zip"))
    assert status["rows"] == 2
    data = download(api, status)
    pack_path = tmp_path / "pack.zip"
    pack_path.write_bytes(data)

    report = verify_pack(pack_path)
    assert report.ok, report.problems
    assert report.receipts_checked == 1 and report.expenses == 2

    with zipfile.ZipFile(io.BytesIO(data)) as pack:  # checked here without the app's code
        manifest = json.loads(pack.read("manifest.json"))
        for entry in manifest["files"]:
            content = pack.read(entry["path"])
            assert hashlib.sha256(content).hexdigest() == entry["sha256"]
            assert len(content) == entry["size"]
        receipt = pack.read(f"receipts/{with_receipt['id']}.png")
        assert receipt == fetch(api, view_link(user, with_receipt["id"])).content
        ids = {r["id"] for r in json.loads(pack.read("expenses.json"))}
        assert ids == {with_receipt["id"], plain["id"]}
        rates = pack.read("rates.csv").decode().splitlines()
        assert rates[0] == "date,currency,rate_date,units_per_eur"
        # One line per (day, currency) converted, with the ECB rate of that day or before it.
        assert len(rates) - 1 == len({(e["date"], e["currency"]) for e in (with_receipt, plain)})
    assert manifest["expenses"] == 2 and manifest["receipts"] == 1
    assert manifest["filters"] == {"from": None, "to": None, "category": None, "q": None}
    assert {e["path"] for e in manifest["files"]} == {
        "expenses.csv",
        "expenses.json",
        f"receipts/{with_receipt['id']}.png",
        "rates.csv",
    }


def test_evidence_pack_reads_in_the_home_currency_not_the_default(api: Api, user: User) -> None:
    changed = user.client.patch("/api/me", json={"home_currency": "GBP"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["default_currency"] != "GBP"
    user.add(amount="10.00", currency="USD")
    data = download(api, finished(user, start(user, format="zip")))
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        assert json.loads(pack.read("manifest.json"))["home_currency"] == "GBP"


def test_another_users_export_is_not_found(user: User, other_user: User) -> None:
    export_id = start(user, format="csv")
    assert_problem(other_user.client.get(f"/api/exports/{export_id}"), 404)
    assert_problem(user.client.get("/api/exports/01NOSUCHEXPORT0000000000000"), 404)
    listed = other_user.client.get("/api/exports").json()
    assert export_id not in [item["id"] for item in listed["items"]]


def test_my_exports_are_listed_newest_first(user: User) -> None:
    first = start(user, format="csv")
    second = start(user, format="json")
    listed = user.client.get("/api/exports")
    assert listed.status_code == 200
    body = listed.json()
    assert [item["id"] for item in body["items"]][:2] == [second, first]
    assert body["next_cursor"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"format": "pdf"}, "format"),
        ({"format": "csv", "from": "2026-05-01", "to": "2026-04-01"}, "from"),
        ({"format": "csv", "from": "2026-02-31"}, "from"),
        ({"format": "csv", "userId": "someone"}, "userId"),
    ],
)
def test_bad_export_requests_name_the_field(user: User, body: dict[str, Any], field: str) -> None:
    assert_problem(user.client.post("/api/exports", json=body), 422, field)


def test_exports_need_a_token(api: Api) -> None:
    with api.client() as anonymous:
        assert anonymous.post("/api/exports", json={"format": "csv"}).status_code == 401


@pytest.mark.local_only
def test_a_tampered_download_link_is_refused(api: Api, user: User) -> None:
    user.add()
    link = finished(user, start(user, format="csv"))["download"]
    payload, _, signature = link.rpartition("/")[2].partition(".")
    forged = link.replace(signature, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB"))
    assert fetch(api, forged).status_code == 403
    other = link.replace(payload, payload[:-1] + ("A" if payload[-1] != "A" else "B"))
    assert fetch(api, other).status_code == 403


@pytest.mark.local_only
def test_download_is_an_attachment_and_not_cached(api: Api, user: User) -> None:
    user.add()
    got = fetch(api, finished(user, start(user, format="zip"))["download"])
    assert got.headers["content-type"] == "application/zip"
    assert got.headers["content-disposition"].startswith('attachment; filename="evidence-pack-')
    assert got.headers["cache-control"] == "private, no-store"
