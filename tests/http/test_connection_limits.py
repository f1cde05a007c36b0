"""The local server bounds the request head and its connections: over 16 KiB of request line
and headers gets 431 and a closed connection; an idle or trickling connection is closed once
its head deadline passes (raw sockets against a real server with a short deadline)."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from tests.support.server import RunningServer, running_server

HEAD_TIMEOUT = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"EXPENSE_TRACKER_HEADER_TIMEOUT_SECONDS": str(HEAD_TIMEOUT)}
    with running_server(tmp_path_factory.mktemp("heads") / "data", env=env) as running:
        yield running


def connect(server: RunningServer) -> socket.socket:
    port = int(server.base_url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    parts = []
    try:
        while chunk := sock.recv(65536):
            parts.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(parts)


def send_quietly(sock: socket.socket, data: bytes) -> None:
    """The server may answer and close before it has read everything we send."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


@pytest.mark.parametrize("size", [20 * 1024, 4 * 1024 * 1024])
def test_a_header_over_16_kib_gets_431_and_the_connection_is_closed(
    server: RunningServer, size: int
) -> None:
    with connect(server) as sock:
        send_quietly(sock, b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size)
        answer = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert b"application/problem+json" in answer


def test_many_headers_adding_up_past_the_limit_get_431(server: RunningServer) -> None:
    headers = b"".join(b"X-H%d: %s\r\n" % (n, b"v" * 100) for n in range(200))
    with connect(server) as sock:
        send_quietly(sock, b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 431")


def test_a_head_under_the_limit_is_answered(server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Fine: "
            + b"a" * 8000
            + b"\r\nConnection: close\r\n\r\n"
        )
        assert read_until_closed(sock).startswith(b"HTTP/1.1 200")


def test_an_idle_connection_is_closed_by_the_server(server: RunningServer) -> None:
    with connect(server) as sock:
        assert read_until_closed(sock) == b""  # closed by the server, not by our timeout


def test_a_trickling_head_is_closed_at_its_deadline(server: RunningServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\n")
        closed = False
        for _ in range(HEAD_TIMEOUT * 20):  # one header byte a quarter second, never done
            time.sleep(0.25)
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
        assert closed or read_until_closed(sock) == b""


def test_a_kept_alive_connection_serves_a_second_request(server: RunningServer) -> None:
    with connect(server) as sock:
        request = b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n"
        sock.sendall(request)
        first = sock.recv(65536)
        sock.sendall(request[:-2] + b"Connection: close\r\n\r\n")
        answers = first + read_until_closed(sock)
    assert answers.count(b"HTTP/1.1 200 OK") == 2
