"""GET /api/expenses/export and POST /api/expenses/import."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.api import User
from tests.support.checks import assert_problem, csv_rows

HEADER = "id,date,amount,currency,category,description,receipt,created_at,updated_at"
CSV = {"Content-Type": "text/csv"}
TEN_MB = 10 * 1024 * 1024
BODY = {"amount": "1.00", "currency": "EUR", "category": "Food"}


def export(user: User, **params: str) -> Any:
    response = user.client.get("/api/expenses/export", params=params)
    assert response.status_code == 200, response.text
    return response


def import_csv(user: User, text: str, **params: str) -> Any:
    return user.client.post(
        "/api/expenses/import", content=text.encode(), headers=CSV, params=params
    )


def listed(user: User) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = user.client.get("/api/expenses", params={"limit": 200}).json()[
        "items"
    ]
    return items


def essentials(items: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    keys = ("date", "amount", "currency", "category", "description")
    return sorted(tuple(item[k] for k in keys) for item in items)


# --- export -------------------------------------------------------------------------------


def test_empty_csv_export_is_just_the_header(user: User) -> None:
    response = export(user)
    assert response.text.splitlines() == [HEADER]
    assert response.headers["content-type"].startswith("text/csv")


def test_csv_export_is_an_attachment(user: User) -> None:
    user.add()
    response = export(user, format="csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and ".csv" in disposition


# API Gateway buffers a Lambda's answer, so only the local server can stream.
@pytest.mark.local_only
def test_csv_export_is_streamed_in_chunks(user: User) -> None:
    user.add()
    response = export(user, format="csv")
    assert response.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.headers


def test_csv_export_has_every_field_of_each_expense(user: User) -> None:
    created = user.add(amount="1234.5", currency="USD", category="Food", description='Say "hi", ok')
    rows = csv_rows(export(user).text)
    assert rows[0] == HEADER.split(",")
    assert rows[1] == [
        created["id"],
        created["date"],
        "1234.50",
        "USD",
        "Food",
        'Say "hi", ok',
        "false",
        created["created_at"],
        created["updated_at"],
    ]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+2", "-2", "@SUM(A1)"])
def test_formula_cells_are_neutralised(user: User, text: str) -> None:
    user.add(category=text, description=text)
    row = csv_rows(export(user).text)[1]
    assert row[4] == "'" + text
    assert row[5] == "'" + text


def test_leading_tab_or_carriage_return_never_reaches_a_cell(user: User) -> None:
    # A tab or CR can only lead a cell if it is stored: the API trims a description's leading
    # tab (and the formula behind it is then neutralised) and refuses CRs and tabs elsewhere.
    user.add(description="\t=1+1")
    for field, text in [("category", "\t=1+1"), ("category", "\r=1+1"), ("description", "\r=1")]:
        response = user.client.post("/api/expenses", json={**BODY, field: text})
        assert_problem(response, 422, field)
    [row] = csv_rows(export(user).text)[1:]
    assert row[5] == "'=1+1"


def test_json_export_lists_the_same_records_as_the_api(user: User) -> None:
    user.add(date="2026-01-01")
    user.add(date="2026-02-01", description="=not a formula in JSON")
    response = export(user, format="json")
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert json.loads(response.text) == listed(user)


def test_empty_json_export_is_an_empty_array(user: User) -> None:
    assert json.loads(export(user, format="json").text) == []


def test_unknown_export_format_is_refused(user: User) -> None:
    response = user.client.get("/api/expenses/export", params={"format": "xlsx"})
    assert_problem(response, 422, "format")


def test_export_takes_the_same_filters_as_the_list(user: User) -> None:
    user.add(category="Food", description="Lunch", date="2026-05-02")
    user.add(category="Food", description="Lunch", date="2026-04-30")
    user.add(category="Food", description="Dinner", date="2026-05-03")
    user.add(category="Travel", description="Lunch", date="2026-05-02")
    params = {"category": "Food", "q": "lunch", "from": "2026-05-01", "to": "2026-05-31"}
    wanted = user.client.get("/api/expenses", params=params).json()["items"]
    assert len(wanted) == 1
    assert json.loads(export(user, format="json", **params).text) == wanted
    rows = csv_rows(export(user, **params).text)
    assert [row[0] for row in rows[1:]] == [wanted[0]["id"]]


def test_export_with_from_after_to_is_refused(user: User) -> None:
    response = user.client.get(
        "/api/expenses/export", params={"from": "2026-02-02", "to": "2026-02-01"}
    )
    assert_problem(response, 422, "from")


def test_export_never_contains_other_users_expenses(user: User, other_user: User) -> None:
    mine = user.add(description="mine")
    other_user.add(description="theirs")
    rows = csv_rows(export(user).text)
    assert [row[0] for row in rows[1:]] == [mine["id"]]
    assert "theirs" not in export(user, format="json").text


# --- import -------------------------------------------------------------------------------


def test_an_export_reimports_to_the_same_expenses(user: User, other_user: User) -> None:
    tricky = [
        {
            "amount": "12.50",
            "currency": "EUR",
            "category": "Food",
            "description": 'Lunch, with "quotes"',
        },
        {
            "amount": "1200",
            "currency": "JPY",
            "category": "=Travel",
            "description": "-minus\nnewline",
        },
        {"amount": "0.125", "currency": "KWD", "category": "@home", "description": "+plus"},
        {"amount": "3.00", "currency": "USD", "category": "Café ☕", "description": ""},
    ]
    for n, fields in enumerate(tricky):
        user.add(**fields, date=f"2025-12-{10 + n}")
    exported = export(user).text
    response = import_csv(other_user, exported)
    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 4, "errors": [], "error_count": 0}
    assert essentials(listed(other_user)) == essentials(listed(user))
    assert {e["id"] for e in listed(other_user)}.isdisjoint({e["id"] for e in listed(user)})


def test_import_is_all_or_nothing_with_errors_by_line(user: User) -> None:
    text = (
        HEADER + "\n"
        ",2026-01-01,1.00,EUR,Food,ok,,,\n"
        ",2026-01-02,abc,EUR,Food,bad amount,,,\n"
        ",2026-01-03,1.00,EUR,Food,ok,,,\n"
        ",2026-13-01,1.00,EUR,Food,bad date,,,\n"
    )
    response = import_csv(user, text)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["imported"] == 0
    assert [error["line"] for error in body["errors"]] == [3, 5]
    assert "amount" in body["errors"][0]["message"]
    assert "date" in body["errors"][1]["message"]
    assert listed(user) == []


def test_partial_import_keeps_the_good_lines(user: User) -> None:
    text = "date,amount,currency,category\n2026-01-01,1.00,EUR,Food\n2026-01-02,1.001,EUR,Food\n"
    response = import_csv(user, text, partial="true")
    assert response.json() == {
        "imported": 1,
        "errors": [{"line": 3, "message": response.json()["errors"][0]["message"]}],
        "error_count": 1,
    }
    assert essentials(listed(user)) == [("2026-01-01", "1.00", "EUR", "Food", "")]


def test_import_ignores_ids_and_owner_columns(user: User, other_user: User) -> None:
    theirs = other_user.add()
    text = (
        "id,user_id,date,amount,currency,category\n"
        f"{theirs['id']},{other_user.user_id},2026-01-01,5.00,EUR,Food\n"
    )
    assert import_csv(user, text).json()["imported"] == 1
    [mine] = listed(user)
    assert mine["id"] != theirs["id"]
    assert other_user.client.get(f"/api/expenses/{theirs['id']}").json() == theirs


def test_import_accepts_a_multipart_file(user: User) -> None:
    text = "date,amount,currency,category\n2026-01-01,2.00,EUR,Food\n"
    response = user.client.post(
        "/api/expenses/import", files={"file": ("expenses.csv", text.encode(), "text/csv")}
    )
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 1


def test_multipart_import_without_a_file_is_refused(user: User) -> None:
    response = user.client.post(
        "/api/expenses/import", files={"other": ("x.csv", b"x", "text/csv")}
    )
    assert_problem(response, 422, "file")


def test_import_without_a_body_is_refused(user: User) -> None:
    assert_problem(user.client.post("/api/expenses/import", headers=CSV), 422, "file")


def test_import_of_non_utf8_is_refused(user: User) -> None:
    body = "date,amount,currency,category\n2026-01-01,1.00,EUR,Café\n".encode("latin-1")
    response = user.client.post("/api/expenses/import", content=body, headers=CSV)
    assert_problem(response, 422, "file")


def test_import_without_the_required_columns_reports_line_1(user: User) -> None:
    response = import_csv(user, "when,how much\n2026-01-01,1.00\n")
    assert response.status_code == 200
    assert response.json()["imported"] == 0
    assert response.json()["errors"][0]["line"] == 1


# On AWS, API Gateway refuses a body over Lambda's 6 MB payload limit before the app sees it
# (413 with the gateway's own JSON body, not problem+json).
@pytest.mark.local_only
def test_import_over_10_mb_is_refused(user: User) -> None:
    line = ",2026-01-01,1.00,EUR,Food,padding padding padding padding,,,\n"
    text = HEADER + "\n" + line * (TEN_MB // len(line) + 1)
    assert len(text) > TEN_MB
    assert_problem(import_csv(user, text), 413)
    files = {"file": ("big.csv", text.encode(), "text/csv")}
    assert_problem(user.client.post("/api/expenses/import", files=files), 413)
    assert listed(user) == []


def test_import_may_be_larger_than_the_1_mib_api_limit(user: User) -> None:
    row = "2026-01-01,1.00,EUR,Food," + "p" * 400 + "\n"
    text = "date,amount,currency,category,description\n" + row * 3000
    assert len(text) > 1024 * 1024
    response = import_csv(user, text)
    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 3000, "errors": [], "error_count": 0}
