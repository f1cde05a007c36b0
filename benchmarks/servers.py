"""The servers the throughput figures load: the bare-ASGI hello-world on uvicorn or granian,
and the app on granian (on uvicorn it is `expense-tracker serve`, tests/support/server.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
from tests.support.server import _die_with_parent, free_port

REPO = Path(__file__).resolve().parents[1]
UVICORN, GRANIAN = "uvicorn", "granian"


def _command(server: str, target: str, port: int, workers: int, factory: bool) -> list[str]:
    if server == UVICORN:  # as `expense-tracker serve` runs it: uvloop, httptools, no access log
        return [
            sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--no-proxy-headers", "--no-access-log",
            "--loop", "uvloop", "--http", "httptools", *(["--factory"] if factory else []),
        ]  # fmt: skip
    return [
        sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--loop", "uvloop", "--no-access-log",
        "--log-level", "warning", *(["--factory"] if factory else []), target,
    ]  # fmt: skip


@contextmanager
def serve(
    server: str,
    target: str,
    *,
    workers: int,
    workdir: Path,
    health: str = "/",
    factory: bool = False,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """`target` served on 127.0.0.1 until the block ends; yields the base URL."""
    port = free_port()
    command = _command(server, target, port, workers, factory)
    with (workdir / f"{server}.log").open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            preexec_fn=_die_with_parent,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + health, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300  # a busy machine starts slowly
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def hello(server: str, workers: int, workdir: Path) -> AbstractContextManager[str]:
    return serve(server, "benchmarks.hello_asgi:app", workers=workers, workdir=workdir)


def app_on_granian(
    data_dir: Path, workers: int, workdir: Path, env: dict[str, str]
) -> AbstractContextManager[str]:
    """The app as `serve` builds it (the data directory is already made), on granian."""
    app_env = {
        **env,
        "EXPENSE_TRACKER_DATA_DIR": str(data_dir.resolve()),
        "EXPENSE_TRACKER_RATES_REFRESH": "false",
    }
    return serve(
        GRANIAN,
        "expense_tracker.entrypoints.asgi:app",
        workers=workers,
        workdir=workdir,
        health="/api/health",
        factory=True,
        env=app_env,
    )
