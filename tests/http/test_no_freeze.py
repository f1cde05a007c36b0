"""No request freezes the server: a big import runs off the event loop, and its error list
is capped (local server: the shared one, whose event loop every other user needs)."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support.api import User, socket_api
from tests.support.server import RunningServer

HEADER = "date,amount,currency,category,description\n"
BAD_ROW = "2026-01-01,not a number,EUR,Food,padding padding padding padding padding\n"
NINE_MB = 9 * 1024 * 1024


def bad_csv() -> bytes:
    return (HEADER + BAD_ROW * (NINE_MB // len(BAD_ROW))).encode()


@pytest.fixture
def user(local_server: RunningServer) -> Iterator[User]:
    account = socket_api(local_server.base_url).new_user("import")
    yield account
    account.client.close()


def test_health_answers_while_a_big_import_is_parsed(
    user: User, local_server: RunningServer
) -> None:
    data = bad_csv()
    port = int(local_server.base_url.rsplit(":", 1)[1])
    head = (
        "POST /api/expenses/import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {user.access_token}\r\nContent-Type: text/csv\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=120) as importing:
        importing.sendall(head.encode() + data)  # the server now parses for seconds
        health = httpx.get(f"{local_server.base_url}/api/health", timeout=120)
        # Judged by order, not time: when health has answered, the import has not. A server
        # that parsed on its event loop would have sent the import's answer first.
        import_answered, _, _ = select.select([importing], [], [], 0)
        assert health.status_code == 200
        assert import_answered == []
        importing.settimeout(120)
        assert read_all(importing).startswith(b"HTTP/1.1 200")


def read_all(sock: socket.socket) -> bytes:
    parts = []
    while chunk := sock.recv(65536):
        parts.append(chunk)
    return b"".join(parts)


def test_import_errors_are_capped_at_100_with_a_count(user: User) -> None:
    rows = 1000
    text = HEADER + BAD_ROW * rows
    response = user.client.post(
        "/api/expenses/import", content=text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["imported"] == 0
    assert body["error_count"] == rows
    assert len(body["errors"]) == 100
    assert [e["line"] for e in body["errors"]] == list(range(2, 102))


def test_import_with_a_duplicate_column_is_refused_naming_it(user: User) -> None:
    text = "date,amount,currency,category,amount\n2026-01-01,1.00,EUR,Food,2.00\n"
    response = user.client.post(
        "/api/expenses/import", content=text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["imported"] == 0
    assert body["errors"][0]["line"] == 1
    assert "duplicate column" in body["errors"][0]["message"]
    assert "amount" in body["errors"][0]["message"]
