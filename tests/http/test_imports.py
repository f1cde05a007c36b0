"""Statement imports as jobs over HTTP: ticket, upload, start, poll; duplicates; rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from tests.support.api import Api, User
from tests.support.checks import assert_problem
from tests.support.imports import upload_statement
from tests.support.jobs import wait_for_job

DATA = Path(__file__).parent.parent / "data" / "statements"
TYPES = {
    "csv": "text/csv",
    "ofx": "application/x-ofx",
    "qif": "application/qif",
    "camt053": "application/xml",
    "mt940": "text/plain",
}


def create(user: User, fmt: str, size: int, **extra: Any) -> dict[str, Any]:
    response = user.client.post("/api/imports", json={"format": fmt, "size": size, **extra})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def run_import(api: Api, user: User, fmt: str, data: bytes, **extra: Any) -> dict[str, Any]:
    created = create(user, fmt, len(data), **extra)
    upload_statement(api, created["upload"], data)
    started = user.client.post(f"/api/imports/{created['id']}/start")
    assert started.status_code == 202, started.text
    return wait_for_job(user.client, f"/api/imports/{created['id']}")


def descriptions(user: User) -> list[str]:
    items = user.client.get("/api/expenses", params={"limit": 200}).json()["items"]
    return sorted(e["description"] for e in items)


def test_ofx_statement_imports_debits_and_skips_credits_and_transfers(api: Api, user: User) -> None:
    job = run_import(api, user, "ofx", (DATA / "ofx_v1_sgml.ofx").read_bytes())
    assert job["status"] == "done", job
    assert (job["processed"], job["imported"], job["skipped"], job["duplicates"]) == (4, 2, 2, 0)
    assert job["format"] == "ofx" and job["error_count"] == 0 and job["errors"] == []
    assert descriptions(user) == ["Blue Bottle Coffee", "TESCO STORES 2041 - Card purchase"]


def test_importing_the_same_statement_twice_adds_nothing_the_second_time(
    api: Api, user: User
) -> None:
    data = (DATA / "camt053_batched.xml").read_bytes()
    first = run_import(api, user, "camt053", data)
    second = run_import(api, user, "camt053", data)
    assert (first["imported"], first["duplicates"]) == (3, 0)
    assert (second["status"], second["imported"], second["duplicates"]) == ("done", 0, 3)
    assert len(descriptions(user)) == 3


def test_reimported_export_is_all_duplicates(api: Api, user: User) -> None:
    user.add(description="Lunch")
    user.add(description="Dinner", amount="30.00")
    export = user.client.get("/api/expenses/export").content
    job = run_import(api, user, "csv", export)
    assert (job["status"], job["imported"], job["duplicates"]) == ("done", 0, 2)


def test_rules_categorise_rows_without_a_category(api: Api, user: User) -> None:
    rule = user.client.post("/api/rules", json={"contains": "TESCO", "category": "Groceries"})
    assert rule.status_code == 201, rule.text
    assert set(rule.json()) == {"id", "contains", "category", "version"}
    run_import(api, user, "mt940", (DATA / "mt940_multiline.sta").read_bytes())
    items = user.client.get("/api/expenses").json()["items"]
    categories = {e["description"]: e["category"] for e in items}
    assert categories == {
        "TESCO STORES 2041Card purchase London": "Groceries",
        "Blue Bottle Coffee": "Uncategorised",
    }


def test_a_bad_line_fails_the_whole_import_unless_partial(api: Api, user: User) -> None:
    data = b"date,amount,currency,category,description\n2026-11-01,5.00,EUR,Food,ok\n" + (
        b"2026-11-02,abc,EUR,Food,bad\n"
    )
    failed = run_import(api, user, "csv", data)
    assert failed["status"] == "failed" and failed["imported"] == 0
    assert failed["errors"][0]["line"] == 3 and "amount" in failed["errors"][0]["message"]
    assert descriptions(user) == []
    done = run_import(api, user, "csv", data, partial=True)
    assert (done["status"], done["imported"], done["error_count"]) == ("done", 1, 1)


def test_a_mapped_bank_csv_reads_locale_dates_and_decimal_commas(api: Api, user: User) -> None:
    data = (
        "Buchungstag;Betrag;Verwendungszweck\n"
        "03.11.2026;-1.234,50;Miete\n04.11.2026;20,00;Erstattung\n"
    )
    mapping = {
        "date": "Buchungstag",
        "amount": "Betrag",
        "description": "Verwendungszweck",
        "date_format": "%d.%m.%Y",
        "decimal": ",",
    }
    job = run_import(api, user, "csv", data.encode(), mapping=mapping)
    assert (job["status"], job["imported"], job["skipped"]) == ("done", 1, 1), job
    item = user.client.get("/api/expenses").json()["items"][0]
    assert (item["date"], item["amount"], item["description"]) == ("2026-11-03", "1234.50", "Miete")


def test_a_file_of_another_format_is_refused_by_name(api: Api, user: User) -> None:
    job = run_import(api, user, "csv", (DATA / "qif_bank_splits.qif").read_bytes())
    assert job["status"] == "failed"
    assert "looks like QIF, not CSV" in job["errors"][0]["message"]


def test_starting_before_the_upload_is_a_conflict(user: User) -> None:
    created = create(user, "csv", 100)
    response = user.client.post(f"/api/imports/{created['id']}/start")
    assert_problem(response, 409)
    assert user.client.get(f"/api/imports/{created['id']}").json()["status"] == "waiting_upload"


def test_other_users_import_is_not_found(user: User, other_user: User) -> None:
    created = create(user, "csv", 100)
    assert_problem(other_user.client.get(f"/api/imports/{created['id']}"), 404)
    assert_problem(other_user.client.post(f"/api/imports/{created['id']}/start"), 404)


def test_unknown_fields_and_oversized_imports_are_refused(user: User) -> None:
    extra = user.client.post("/api/imports", json={"format": "csv", "size": 5, "user": "x"})
    assert_problem(extra, 422)
    huge = user.client.post("/api/imports", json={"format": "csv", "size": 50 * 2**20 + 1})
    assert_problem(huge, 422)
    wrong = user.client.post("/api/imports", json={"format": "xls", "size": 5})
    assert_problem(wrong, 422)


def test_a_whole_number_size_written_as_a_float_is_a_size(user: User) -> None:
    # JSON Schema counts 1324.0 as an integer; so do receipt tickets, and so must this one.
    assert (
        user.client.post("/api/imports", json={"format": "csv", "size": 1324.0}).status_code == 201
    )
    assert_problem(user.client.post("/api/imports", json={"format": "csv", "size": 13.5}), 422)


def test_imports_are_listed_newest_first(api: Api, user: User) -> None:
    first = create(user, "csv", 10)
    second = create(user, "ofx", 10)
    listed = user.client.get("/api/imports").json()
    assert [i["id"] for i in listed["items"]] == [second["id"], first["id"]]
    assert listed["next_cursor"] is None


def test_rules_are_listed_changed_with_if_match_and_deleted(user: User, other_user: User) -> None:
    made = user.client.post("/api/rules", json={"contains": "shell", "category": "Transport"})
    rule = made.json()
    path = f"/api/rules/{rule['id']}"
    assert user.client.get("/api/rules").json() == {"items": [rule], "next_cursor": None}
    changed = user.client.patch(path, json={"category": "Car"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = user.client.patch(path, json={"category": "Fuel"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 412)
    assert_problem(other_user.client.get(path), 404)
    assert_problem(other_user.client.delete(path), 404)
    assert_problem(user.client.post("/api/rules", json={"contains": "", "category": "X"}), 422)
    assert user.client.delete(path).status_code == 204
    assert_problem(user.client.get(path), 404)


@pytest.mark.local_only
def test_the_local_upload_target_takes_a_statement_larger_than_any_receipt(
    api: Api, user: User
) -> None:
    data = b"date,amount,currency,category,description\n" + b"x" * (12 * 2**20)
    created = create(user, "csv", len(data))
    assert created["upload"]["max_bytes"] == len(data)
    upload_statement(api, created["upload"], data)  # 12 MiB: over the 10 MiB a receipt may have


@pytest.mark.local_only
def test_a_statement_ticket_still_refuses_more_than_its_size(api: Api, user: User) -> None:
    created = create(user, "csv", 100)
    fields = created["upload"]["fields"]
    with api.client() as anonymous:
        response = anonymous.post(
            urljoin(api.base_url, created["upload"]["url"]),
            data=fields,
            files={"file": ("statement", b"y" * 101, fields["Content-Type"])},
        )
    assert response.status_code == 400
