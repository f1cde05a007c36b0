"""Receipts over HTTP against the real server. Uploads go through the ticket's url and fields,
as a browser or an S3 client would send them, so the same tests can run against S3."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.common.upload_policy import decode_policy, encode_policy
from expense_tracker.adapters.local.files import LocalReceiptStore
from expense_tracker.domain.receipts import pending_key
from expense_tracker.entrypoints.http.routes.uploads import UPLOAD_BODY_LIMIT
from tests.support import receipt_files as files
from tests.support.api import Api, User
from tests.support.checks import assert_problem
from tests.support.server import RunningServer

Ticket = dict[str, Any]
PNG = "image/png"
# S3 enforces the POST policy (and signs view links) itself, but its stand-in, moto, checks
# neither: there the policy's unit tests (tests/unit/test_upload_policy.py) are the guarantee.
# S3 also cannot send nosniff or CSP headers, and its tickets are not single-use.
LOCAL_ONLY = pytest.mark.local_only
GONE = (403, 404)  # S3 answers 403 for a missing key when the signer may not list the bucket


def ticket_for(user: User, expense_id: str, content_type: str = PNG, size: int = 0) -> Ticket:
    response = user.client.post(
        f"/api/expenses/{expense_id}/receipt/upload",
        json={"content_type": content_type, "size": size},
    )
    assert response.status_code == 201, response.text
    ticket: Ticket = response.json()
    return ticket


def send(api: Api, ticket: Ticket, data: bytes, **field_changes: str) -> httpx.Response:
    """POST every field of the ticket, then the file: no bearer token, as a browser does."""
    fields = {**ticket["fields"], **field_changes}
    with api.client() as anonymous:
        return anonymous.post(
            urljoin(api.base_url, ticket["url"]),
            data=fields,
            files={"file": ("receipt", data, fields.get("Content-Type", PNG))},
        )


def upload(api: Api, user: User, expense_id: str, data: bytes, content_type: str = PNG) -> None:
    response = send(api, ticket_for(user, expense_id, content_type, len(data)), data)
    assert response.status_code == 204, response.text


def confirm(user: User, expense_id: str) -> httpx.Response:
    return user.client.post(f"/api/expenses/{expense_id}/receipt/confirm")


def view_link(user: User, expense_id: str) -> str:
    response = user.client.get(f"/api/expenses/{expense_id}/receipt", follow_redirects=False)
    assert response.status_code == 307, response.text
    return response.headers["location"]


def fetch(api: Api, link: str) -> httpx.Response:
    with api.client() as anonymous:
        return anonymous.get(urljoin(api.base_url, link))


def attach(api: Api, user: User, data: bytes, content_type: str = PNG) -> dict[str, Any]:
    expense = user.add()
    upload(api, user, expense["id"], data, content_type)
    response = confirm(user, expense["id"])
    assert response.status_code == 200, response.text
    confirmed: dict[str, Any] = response.json()
    return confirmed


# --- the round trip -----------------------------------------------------------------------


def test_receipt_round_trip_keeps_a_png_byte_for_byte(api: Api, user: User) -> None:
    png = files.image_bytes("PNG")
    expense = user.add()
    ticket = ticket_for(user, expense["id"], PNG, len(png))
    assert 0 < ticket["expires_in"] <= 300 and ticket["max_bytes"] == len(png)
    assert send(api, ticket, png).status_code == 204

    confirmed = confirm(user, expense["id"])

    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["version"] == expense["version"] + 1
    assert body["receipt"]["content_type"] == PNG and body["receipt"]["size"] == len(png)
    assert body["receipt"]["uploaded_at"].endswith("Z")
    assert user.client.get(f"/api/expenses/{expense['id']}").json()["receipt"] == body["receipt"]
    viewed = fetch(api, view_link(user, expense["id"]))
    assert viewed.status_code == 200
    assert viewed.content == png
    assert viewed.headers["content-type"] == PNG


@LOCAL_ONLY
def test_view_link_is_served_inline_sniff_free_and_sandboxed(api: Api, user: User) -> None:
    expense = attach(api, user, files.PDF, "application/pdf")
    viewed = fetch(api, view_link(user, expense["id"]))
    assert viewed.status_code == 200 and viewed.content == files.PDF
    assert viewed.headers["content-disposition"].startswith("inline")
    assert viewed.headers["x-content-type-options"] == "nosniff"
    assert viewed.headers["content-security-policy"] == "sandbox"


def test_gps_location_is_stripped_from_a_jpeg(api: Api, user: User) -> None:
    jpeg = files.image_with_gps("JPEG")
    expense = attach(api, user, jpeg, "image/jpeg")
    kept = fetch(api, view_link(user, expense["id"])).content
    exif = files.exif_of(kept)
    assert files.GPS_IFD not in exif and exif[files.ORIENTATION] == 6
    assert expense["receipt"]["size"] == len(kept) == len(jpeg)


def test_replacing_a_receipt_retires_the_old_link(api: Api, user: User) -> None:
    expense = attach(api, user, files.image_bytes("PNG"))
    old_link = view_link(user, expense["id"])
    upload(api, user, expense["id"], files.PDF, "application/pdf")
    replaced = confirm(user, expense["id"]).json()
    assert replaced["receipt"]["content_type"] == "application/pdf"
    assert replaced["version"] == expense["version"] + 1
    assert fetch(api, old_link).status_code in GONE
    assert fetch(api, view_link(user, expense["id"])).content == files.PDF


# --- what the ticket request refuses ------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "size", "field"),
    [
        ("image/png", 10 * 1024 * 1024 + 1, "size"),
        ("image/svg+xml", 100, "content_type"),
        ("text/html", 100, "content_type"),
        ("image/png", 0, "size"),
    ],
)
def test_ticket_refuses_oversize_and_other_types(
    user: User, content_type: str, size: int, field: str
) -> None:
    expense = user.add()
    response = user.client.post(
        f"/api/expenses/{expense['id']}/receipt/upload",
        json={"content_type": content_type, "size": size},
    )
    assert_problem(response, 422, field)


def test_ticket_ignores_a_client_chosen_key(user: User) -> None:
    expense = user.add()
    response = user.client.post(
        f"/api/expenses/{expense['id']}/receipt/upload",
        json={"content_type": PNG, "size": 10, "key": "users/x/receipts/y/pending"},
    )
    assert_problem(response, 422, "key")


# --- what the upload target refuses -------------------------------------------------------


@LOCAL_ONLY
def test_upload_larger_than_declared_is_refused(api: Api, user: User) -> None:
    expense = user.add()
    ticket = ticket_for(user, expense["id"], PNG, 100)
    assert send(api, ticket, b"\x89PNG" + b"\x00" * 97).status_code == 400
    assert_problem(confirm(user, expense["id"]), 409)  # nothing landed


@LOCAL_ONLY
def test_upload_of_another_content_type_than_the_ticket_is_forbidden(api: Api, user: User) -> None:
    expense = user.add()
    ticket = ticket_for(user, expense["id"], PNG, 100)
    assert send(api, ticket, files.HTML_AS_PNG, **{"Content-Type": "text/html"}).status_code == 403


@LOCAL_ONLY
def test_ticket_works_only_once(api: Api, user: User) -> None:
    png = files.image_bytes("PNG")
    expense = user.add()
    ticket = ticket_for(user, expense["id"], PNG, len(png))
    assert send(api, ticket, png).status_code == 204
    assert send(api, ticket, png).status_code == 403


@LOCAL_ONLY
def test_tampered_signature_or_policy_is_forbidden(api: Api, user: User) -> None:
    expense = user.add()
    ticket = ticket_for(user, expense["id"], PNG, 100)
    signature_field = next(k for k in ticket["fields"] if k.lower().endswith("signature"))
    signature = ticket["fields"][signature_field]
    flipped = signature[:-1] + ("1" if signature[-1] == "0" else "0")
    assert send(api, ticket, b"x", **{signature_field: flipped}).status_code == 403
    widened = decode_policy(ticket["fields"]["policy"])
    for condition in widened["conditions"]:
        if isinstance(condition, list) and condition[0] == "content-length-range":
            condition[2] = 10**9
    assert send(api, ticket, b"x" * 200, policy=encode_policy(widened)).status_code == 403


@LOCAL_ONLY
def test_upload_to_another_users_key_is_forbidden(api: Api, user: User, other_user: User) -> None:
    victim = other_user.add()
    mine = user.add()
    ticket = ticket_for(user, mine["id"], PNG, 100)
    their_key = pending_key(other_user.user_id, victim["id"])
    assert send(api, ticket, files.HTML_AS_PNG, key=their_key).status_code == 403
    assert_problem(confirm(other_user, victim["id"]), 409)  # nothing landed there


@LOCAL_ONLY
def test_expired_ticket_is_forbidden(
    api: Api, user: User, forge_store: Callable[[datetime], LocalReceiptStore]
) -> None:
    expense = user.add()
    past = forge_store(datetime.now(UTC) - timedelta(minutes=10))
    ticket = past.upload_ticket(pending_key(user.user_id, expense["id"]), PNG, 100)
    stale = {"url": ticket.url, "fields": ticket.fields}
    assert send(api, stale, files.image_bytes("PNG")[:100]).status_code == 403


# --- what confirm refuses -----------------------------------------------------------------


def test_confirm_without_upload_is_a_conflict(user: User) -> None:
    assert_problem(confirm(user, user.add()["id"]), 409)


def test_html_disguised_as_png_is_refused_at_confirm_and_deleted(api: Api, user: User) -> None:
    expense = user.add()
    upload(api, user, expense["id"], files.HTML_AS_PNG, PNG)
    assert_problem(confirm(user, expense["id"]), 422)
    assert_problem(confirm(user, expense["id"]), 409)  # the bytes are gone
    assert user.client.get(f"/api/expenses/{expense['id']}").json()["receipt"] is None


def test_decompression_bomb_is_refused_at_confirm(api: Api, user: User) -> None:
    expense = user.add()
    upload(api, user, expense["id"], files.png_bomb(), PNG)
    assert_problem(confirm(user, expense["id"]), 422)


def test_another_users_expense_is_not_found_for_every_receipt_route(
    api: Api, user: User, other_user: User
) -> None:
    theirs = attach(api, other_user, files.PDF, "application/pdf")
    base = f"/api/expenses/{theirs['id']}/receipt"
    upload_request = {"content_type": PNG, "size": 10}
    assert_problem(user.client.post(base + "/upload", json=upload_request), 404)
    assert_problem(user.client.post(base + "/confirm"), 404)
    assert_problem(user.client.get(base, follow_redirects=False), 404)
    assert_problem(user.client.delete(base), 404)
    assert other_user.client.get(f"/api/expenses/{theirs['id']}").json()["receipt"] is not None


def test_an_id_the_app_never_made_is_not_found_for_every_receipt_route(user: User) -> None:
    # A 5,000-character key is an error in DynamoDB; it must still read as a missing expense.
    base = f"/api/expenses/{'A' * 5000}/receipt"
    upload_request = {"content_type": PNG, "size": 10}
    assert_problem(user.client.post(base + "/upload", json=upload_request), 404)
    assert_problem(user.client.post(base + "/confirm"), 404)
    assert_problem(user.client.get(base, follow_redirects=False), 404)
    assert_problem(user.client.delete(base), 404)


def test_receipt_routes_need_a_token(api: Api, user: User) -> None:
    expense = user.add()
    with api.client() as anonymous:
        response = anonymous.get(f"/api/expenses/{expense['id']}/receipt")
    assert_problem(response, 401)


# --- view links and deletion --------------------------------------------------------------


@LOCAL_ONLY
def test_tampered_view_link_is_forbidden(api: Api, user: User) -> None:
    expense = attach(api, user, files.PDF, "application/pdf")
    link = view_link(user, expense["id"])
    tampered = link[:-1] + ("A" if link[-1] != "A" else "B")
    assert fetch(api, tampered).status_code == 403


@LOCAL_ONLY
def test_expired_view_link_is_forbidden(
    api: Api, user: User, forge_store: Callable[[datetime], LocalReceiptStore]
) -> None:
    expense = attach(api, user, files.PDF, "application/pdf")
    token = view_link(user, expense["id"]).rsplit("/", 1)[1]
    key = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["k"]
    past = forge_store(datetime.now(UTC) - timedelta(minutes=6))
    assert fetch(api, past.view_url(key, "application/pdf")).status_code == 403


def test_deleting_the_receipt_detaches_it_and_kills_its_link(api: Api, user: User) -> None:
    expense = attach(api, user, files.PDF, "application/pdf")
    link = view_link(user, expense["id"])
    assert user.client.delete(f"/api/expenses/{expense['id']}/receipt").status_code == 204
    after = user.client.get(f"/api/expenses/{expense['id']}").json()
    assert after["receipt"] is None and after["version"] == expense["version"] + 1
    assert fetch(api, link).status_code in GONE
    assert_problem(user.client.get(f"/api/expenses/{expense['id']}/receipt"), 404)
    assert_problem(user.client.delete(f"/api/expenses/{expense['id']}/receipt"), 404)


def test_deleting_the_expense_deletes_its_receipt(api: Api, user: User) -> None:
    expense = attach(api, user, files.PDF, "application/pdf")
    link = view_link(user, expense["id"])
    assert user.client.delete(f"/api/expenses/{expense['id']}").status_code == 204
    assert fetch(api, link).status_code in GONE


# --- the local upload target reads no more than it must -----------------------------------


def _raw_post(server: RunningServer, head: bytes, body: bytes) -> bytes:
    """Send a request's head and the start of its body, then read the answer without
    sending the rest: the server must decide on what it has."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(head + body)
        return conn.recv(65536)


def _head(length: int, boundary: str) -> bytes:
    return (
        f"POST /api/_local/receipts/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def test_declared_body_over_the_limit_is_refused_before_reading(
    local_server: RunningServer,
) -> None:
    # Past the largest upload the target takes (a 50 MiB statement import, plus its fields).
    answer = _raw_post(local_server, _head(UPLOAD_BODY_LIMIT + 1, "b"), b"")
    assert answer.startswith(b"HTTP/1.1 413")


@LOCAL_ONLY
def test_forbidden_form_is_refused_when_the_file_part_begins(
    local_server: RunningServer, api: Api, user: User
) -> None:
    ticket = ticket_for(user, user.add()["id"], PNG, 100)
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in {**ticket["fields"], "key": "users/x/receipts/y/pending"}.items()
    ]
    start = "".join(parts) + '--b\r\nContent-Disposition: form-data; name="file"\r\n\r\n'
    answer = _raw_post(local_server, _head(5 * 1024 * 1024, "b"), start.encode() + b"x" * 10)
    assert answer.startswith(b"HTTP/1.1 403")


@pytest.fixture
def forge_store(local_server: RunningServer) -> Callable[[datetime], LocalReceiptStore]:
    """The server's own signer, with a clock of our choosing: to make links that expired."""

    def make(moment: datetime) -> LocalReceiptStore:
        secret = (local_server.data_dir / "secret.key").read_bytes()
        root = Path(local_server.data_dir.parent / "forged")
        return LocalReceiptStore(root, secret, local_server.base_url, clock=FixedClock(moment))

    return make
