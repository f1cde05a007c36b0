"""How long a local server keeps a socket that sends nothing, or trickles its request head or
body a byte a second (the slowloris kinds): seconds until the server closes it, and what it
answered. The three probes run at once, so the section waits for the longest only."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

GIVE_UP = 60.0  # a socket still open after this is reported as never closed
SLOW_HEAD = b"GET /api/health HTTP/1.1\r\nHost: x\r\n"
SLOW_BODY = (
    b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n"
)
PROBES = {"idle": (b"", b""), "slow head": (SLOW_HEAD, b"X"), "slow body": (SLOW_BODY, b" ")}


def seconds_until_closed(port: int, first: bytes, trickle: bytes) -> tuple[float, str]:
    """Send `first`, then `trickle` once a second until the server closes the socket."""
    with socket.create_connection(("127.0.0.1", port), timeout=GIVE_UP) as sock:
        t0 = time.perf_counter()
        sock.sendall(first)
        sock.settimeout(1.0)
        answer = b""
        while time.perf_counter() - t0 < GIVE_UP:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                if trickle:
                    try:
                        sock.sendall(trickle)
                    except OSError:
                        break
                continue
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
        status = answer[9:12].decode() if answer.startswith(b"HTTP/") else "none"
        return time.perf_counter() - t0, status


def socket_probes(port: int) -> dict[str, tuple[float, str]]:
    with ThreadPoolExecutor(len(PROBES)) as pool:
        futures = {
            name: pool.submit(seconds_until_closed, port, first, trickle)
            for name, (first, trickle) in PROBES.items()
        }
        return {name: future.result() for name, future in futures.items()}
