"""Inputs that once made the server answer 500: each gets a 4xx, or 503 for a full disk.

The app runs in process here (the full disk is a patched write), on the local backend."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from expense_tracker.adapters.local.upload import LocalUpload
from expense_tracker.domain.errors import BadRequest
from expense_tracker.entrypoints.http.routes.expenses import parse_if_match
from tests.support.in_process import signed_in_client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with signed_in_client(tmp_path) as test_client:
        yield test_client


def new_expense(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/expenses", json={"amount": "1.00", "category": "Food"})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("value", ['"\u00b2"', "\u00b2", '"\u0663"', '"1\u00b9"'])
def test_if_match_with_a_digit_that_is_not_ascii_is_a_bad_request(value: str) -> None:
    # A header arrives as latin-1 text, so "²" (0xB2) is a str that isdigit() accepts.
    with pytest.raises(BadRequest):
        parse_if_match(value)


def upload_form(client: TestClient) -> dict[str, str]:
    expense = new_expense(client)
    ticket = client.post(
        f"/api/expenses/{expense['id']}/receipt/upload",
        json={"content_type": "image/png", "size": 100},
    ).json()
    fields: dict[str, str] = ticket["fields"]
    return fields


def test_a_multipart_boundary_over_256_characters_is_a_400(client: TestClient) -> None:
    boundary = "b" * 300
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=key\r\n\r\nx\r\n--{boundary}--\r\n"
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    upload = client.post("/api/_local/receipts/upload", content=body, headers=headers)
    assert upload.status_code == 400, upload.text
    imported = client.post("/api/expenses/import", content=body, headers=headers)
    assert imported.status_code == 400, imported.text


class FullDisk:
    """A file whose writes fail as on a full disk."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def test_an_upload_on_a_full_disk_is_a_503(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = LocalUpload.__init__

    def on_a_full_disk(self: LocalUpload, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)
        self._handle = FullDisk(self._handle)  # type: ignore[assignment]

    monkeypatch.setattr(LocalUpload, "__init__", on_a_full_disk)
    fields = upload_form(client)
    files = {"file": ("r.png", b"\x89PNG\r\n\x1a\n" + b"0" * 92, "image/png")}
    response = client.post("/api/_local/receipts/upload", data=fields, files=files)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (b'{"amount": "1.00", "category": "Food", "amount": "1000.00"}', "amount"),
        (b'{"category": "Food", "amount": "1.00", "extra": {"a": 1, "a": 2}}', "a"),
    ],
)
def test_a_json_body_with_a_repeated_key_is_refused_naming_it(
    client: TestClient, body: bytes, key: str
) -> None:
    response = client.post(
        "/api/expenses", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": key, "message": "is given more than once"}]


def test_a_json_body_without_repeats_is_still_read(client: TestClient) -> None:
    response = client.post(
        "/api/expenses",
        content=b'{"amount": "1.00", "category": "Food"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
