"""Hardening: what an attacker's requests cost a running local server, beside the same server's
idle figures measured in the same run (health latency, resident memory, other users' latency).

- health latency while a 10 MiB CSV of invalid rows is imported (parsed off the event loop);
- peak memory (VmHWM) for 8 parallel confirms of a worst-case image (a 40 MP RGBA PNG);
- memory after a 128 MiB request header attempt (refused with 431 after 16 KiB);
- a sign-up flood from one address: answers, memory, and another user's latency meanwhile."""

from __future__ import annotations

import io
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from PIL import Image
from tests.support.api import PASSWORD, User, socket_api, unique_email
from tests.support.server import RunningServer, running_server

from expense_tracker.services import receipt_images

from .plan import Plan
from .report import Section, mib, ms, table

BAD_ROW = "2026-01-01,not a number,EUR,Food,padding padding padding padding padding\n"
PARALLEL_CONFIRMS = 8


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def rss(server: RunningServer, field: str = "VmRSS") -> int:
    return status_kib(server.process.pid, field) * 1024


def latency(fn: Callable[[], object], runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def health_during_import(server: RunningServer, user: User, megabytes: int) -> dict[str, float]:
    rows = (megabytes * 1024 * 1024 - 1024) // len(BAD_ROW)  # just under the import limit
    data = ("date,amount,currency,category,description\n" + BAD_ROW * rows).encode()
    health = httpx.Client(base_url=server.base_url, timeout=120)  # no per-request set-up
    idle = latency(lambda: health.get("/api/health"))
    port = int(server.base_url.rsplit(":", 1)[1])
    head = (
        "POST /api/expenses/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
        f"Authorization: Bearer {user.access_token}\r\nContent-Length: {len(data)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=300) as sock:
        t0 = time.perf_counter()
        sock.sendall(head + data)
        # The first health check after the body is sent: a parse on the event loop blocks it.
        busy = latency(lambda: health.get("/api/health"), runs=1)
        while sock.recv(65536):
            pass
        whole = time.perf_counter() - t0
    health.close()
    return {"idle": idle, "busy": busy, "import": whole}


def worst_case_png() -> bytes:
    # The largest square the server decodes (Pillow's own limit before the receipt limit).
    limit: int = receipt_images.MAX_RECEIPT_PIXELS
    side = int(limit**0.5) - 1
    buffer = io.BytesIO()
    Image.new("RGBA", (side, side), (255, 255, 255, 255)).save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()


def confirm_memory(server: RunningServer, user: User, png: bytes) -> dict[str, float]:
    expenses = [user.add()["id"] for _ in range(PARALLEL_CONFIRMS)]
    for expense_id in expenses:
        ticket = user.client.post(
            f"/api/expenses/{expense_id}/receipt/upload",
            json={"content_type": "image/png", "size": len(png)},
        ).json()
        files = {"file": ("r.png", png, "image/png")}
        httpx.post(ticket["url"], data=ticket["fields"], files=files, timeout=60)
    before, hwm_before = rss(server), rss(server, "VmHWM")

    def confirm(expense_id: str) -> int:
        path = f"/api/expenses/{expense_id}/receipt/confirm"
        return user.client.post(path, timeout=300).status_code

    with ThreadPoolExecutor(PARALLEL_CONFIRMS) as pool:
        answers = Counter(pool.map(confirm, expenses))
    return {"rss": before, "hwm_before": hwm_before, "hwm": rss(server, "VmHWM"),
            "ok": answers.get(200, 0)}  # fmt: skip


def header_attack(server: RunningServer, megabytes: int) -> dict[str, float]:
    before = rss(server)
    port = int(server.base_url.rsplit(":", 1)[1])
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ")
        block = b"a" * (1024 * 1024)
        try:
            for _ in range(megabytes):
                sock.sendall(block)
                sent += len(block)
        except OSError:
            pass  # the server answered and closed
        try:
            answer = sock.recv(64)
        except OSError:
            answer = b""
    return {"before": before, "after": rss(server), "sent": sent,
            "status": float(answer[9:12] or 0)}  # fmt: skip


def signup_flood(server: RunningServer, other: User, attempts: int) -> dict[str, float]:
    before = rss(server)
    idle = latency(lambda: other.client.get("/api/me"))
    during: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            t0 = time.perf_counter()
            other.client.get("/api/me")
            during.append(time.perf_counter() - t0)

    def sign_up(_: int) -> int:
        body = {"email": unique_email("flood"), "password": PASSWORD}
        return httpx.post(f"{server.base_url}/api/auth/signup", json=body, timeout=120).status_code

    watcher = threading.Thread(target=watch)
    watcher.start()
    with ThreadPoolExecutor(16) as pool:
        answers = Counter(pool.map(sign_up, range(attempts)))
    done.set()
    watcher.join()
    return {"before": before, "hwm": rss(server, "VmHWM"), "idle": idle,
            "during": statistics.median(during), "created": answers.get(201, 0),
            "limited": answers.get(429, 0)}  # fmt: skip


def run(plan: Plan, workdir: Path) -> Section:
    megabytes, floods = (2, 100) if plan.quick else (10, 400)
    png = worst_case_png()
    with running_server(workdir / "hardening-data") as server:
        api = socket_api(server.base_url)
        user, other = api.new_user("hardening"), api.new_user("bystander")
        imported = health_during_import(server, user, megabytes)
        confirms = confirm_memory(server, user, png)
        header = header_attack(server, 128)
        flood = signup_flood(server, other, floods)
    section = Section("Hardening: what an attacker's requests cost")
    section.data = {"import": imported, "confirms": confirms, "header": header, "flood": flood}
    section.add(
        "A local server (`expense-tracker serve`, one worker) under each attack in turn; the "
        "baseline is the same server's idle figure measured just before.",
        table(
            ["attack", "baseline", "under attack"],
            [
                [
                    f"GET /api/health (idle median; then the first check), during a "
                    f"{megabytes} MiB import of bad rows "
                    f"(import took {ms(imported['import'])})",
                    ms(imported["idle"]),
                    ms(imported["busy"]),
                ],
                [
                    f"peak RSS, {PARALLEL_CONFIRMS} parallel confirms of a {len(png) // 1024} KiB "
                    f"RGBA PNG just under the pixel limit ({confirms['ok']} accepted)",
                    mib(confirms["hwm_before"]),
                    mib(confirms["hwm"]),
                ],
                [
                    f"RSS after a 128 MiB header attempt ({mib(header['sent'])} sent, "
                    f"answer {int(header['status'])})",
                    mib(header["before"]),
                    mib(header["after"]),
                ],
                [
                    f"GET /api/me median of another user, during {floods} sign-ups from one "
                    f"address ({flood['created']} created, {flood['limited']} got 429)",
                    ms(flood["idle"]),
                    ms(flood["during"]),
                ],
                ["peak RSS during the sign-up flood", mib(flood["before"]), mib(flood["hwm"])],
            ],
        ),  # fmt: skip
    )
    section.headlines.append(
        f"hardening: health {ms(imported['busy'])} during a {megabytes} MiB import; peak RSS "
        f"{mib(confirms['hwm'])} for {PARALLEL_CONFIRMS} worst-case confirms"
    )
    return section
