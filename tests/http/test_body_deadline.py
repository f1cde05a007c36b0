"""Request bodies have a deadline too (a slowloris on the body): after a short grace a body
must keep arriving at a minimum rate, or it gets 408 and its connection is closed, while the
server keeps answering everyone else. On the local server (raw sockets) and on the app run by
plain uvicorn with its default h11 protocol (the deadline is ASGI middleware, not a protocol)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from expense_tracker.config import Settings
from expense_tracker.entrypoints.http.app import create_app
from tests.support.server import RunningServer, free_port, running_server

GRACE = 1.0
RATE = 200  # bytes a second, at least, after the grace
ENV = {
    "EXPENSE_TRACKER_BODY_TIMEOUT_SECONDS": str(GRACE),
    "EXPENSE_TRACKER_MIN_BODY_BYTES_PER_SECOND": str(RATE),
}
LOGIN = b'{"email": "slow@example.com", "password": "correct horse battery staple"}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("bodies") / "data", env=ENV) as running:
        yield running


@pytest.fixture(scope="module")
def h11_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("h11") / "data",
        body_timeout_seconds=GRACE,
        min_body_bytes_per_second=RATE,
        recurring_schedule=False,
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, http="h11", log_level="warning"
    )
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not served.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield url
    served.should_exit = True
    thread.join(timeout=30)


def trickle(base_url: str, health: httpx.Client) -> tuple[bytes, list[int]]:
    """A login body sent a byte every 0.1 s (10 B/s, under the 200 B/s floor), checking the
    health endpoint between bytes; what the server answered and the health answers."""
    port = int(base_url.rsplit(":", 1)[1])
    head = (
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(LOGIN)}\r\n\r\n"
    ).encode()
    statuses: list[int] = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for byte in LOGIN:
                sock.sendall(bytes([byte]))
                statuses.append(health.get("/api/health").status_code)
                time.sleep(0.1)
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                answer += chunk
    return answer, statuses


def test_a_trickled_body_gets_408_and_a_closed_connection_on_the_local_server(
    server: RunningServer,
) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as health:
        answer, statuses = trickle(server.base_url, health)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"application/problem+json" in answer
    assert statuses and set(statuses) == {200}  # everyone else was answered meanwhile


def test_a_trickled_body_is_cut_off_under_plain_uvicorn_too(h11_url: str) -> None:
    with httpx.Client(base_url=h11_url, timeout=10) as health:
        answer, statuses = trickle(h11_url, health)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert set(statuses) == {200}


def test_a_body_sent_at_a_normal_pace_is_answered(server: RunningServer) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        response = client.post("/api/auth/login", content=LOGIN,
                               headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 401  # read whole: the unknown account is refused
