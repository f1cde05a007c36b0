"""A fresh clone's `make run` until `/api/health` answers, with the package caches warm, the
`.venv` it leaves, then what `make install-dev` (`make test`'s install) adds on top; and the Lambda
package: its zipped size and what is in it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from .package import LAMBDA_ZIP_UPLOAD_LIMIT, PackageSize, package_size
from .plan import Plan
from .report import Section, mib, ratio, table

REPO = Path(__file__).resolve().parents[1]
HEALTH_TIMEOUT = 600.0
VENV_GOAL = 150 * 2**20
SECONDS_GOAL = 40.0
ZIP_GOAL = 25 * 2**20
WHY = {
    "botocore": "the AWS SDK's core; only the models of the services called (trimmed)",
    "cryptography": "RS256 verification of Cognito's tokens (PyJWT[crypto])",
    "pillow": "receipt images: decoding, EXIF orientation, thumbnails (PIL, pillow.libs)",
    "PIL": "receipt images: decoding, EXIF orientation, thumbnails",
    "pydantic_core": "validation of every request and setting (compiled core)",
    "pi_heif": "HEIC receipts from phones (decoder only)",
    "expense_tracker": "the app itself",
    "boto3": "the AWS SDK's clients",
    "fastapi": "the HTTP app",
    "zxcvbn": "the common-password list the sign-up policy refuses",
    "pypdf": "PDF receipts: parsed to refuse scripts, actions and attachments",
    "pillow.libs": "the image codecs Pillow links (JPEG, PNG, WebP, TIFF); AVIF and fonts trimmed",
    "pi_heif.libs": "libheif for HEIC receipts (decoder)",
    "pydantic": "the request and settings models",
    "currency_converter": "the ECB reference-rate history (home currency)",
}


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "VIRTUAL_ENV"))}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _wait_for_health(url: str, server: subprocess.Popen[bytes], started: float) -> float:
    while time.perf_counter() - started < HEALTH_TIMEOUT:
        if server.poll() is not None:
            raise RuntimeError(f"make run exited with {server.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("no /api/health answer in time")


def fresh_clone_run(workdir: Path) -> dict[str, float]:
    clone = workdir / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=300)
    port = _free_port()
    command = ["make", "--no-print-directory", "run", f"PORT={port}", f"DATA_DIR={workdir}/d"]
    started = time.perf_counter()
    server = subprocess.Popen(  # its own process group: stopped with everything make started
        command, cwd=clone, env=_env(), stdout=subprocess.DEVNULL, start_new_session=True
    )
    try:
        seconds = _wait_for_health(f"http://127.0.0.1:{port}/api/health", server, started)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    venv = _size(clone / ".venv")
    started = time.perf_counter()
    subprocess.run(["make", "-s", "install-dev"], cwd=clone, env=_env(), check=True, timeout=900)
    dev_seconds = time.perf_counter() - started
    return {
        "run_seconds": seconds,
        "venv": venv,
        "tools": _size(clone / ".tools"),
        "dev_seconds": dev_seconds,
        "dev_venv": _size(clone / ".venv"),
    }


def _package_rows(p: PackageSize) -> list[list[str]]:
    return [
        [name, mib(size), f"{size / p.unzipped:.0%}", WHY.get(name, "")]
        for name, size in p.by_package[:12]
    ]


def run(plan: Plan, workdir: Path) -> Section:  # noqa: ARG001 - one size: a whole install
    print("  install: a fresh clone's make run", flush=True)
    figures = fresh_clone_run(workdir)
    print("  install: the Lambda package", flush=True)
    package = package_size(workdir)
    section = Section("Install and package size", data={**figures, "package": package})
    run_s, venv, dev_venv = figures["run_seconds"], figures["venv"], figures["dev_venv"]
    section.headlines.append(
        f"Fresh clone: `make run` to a served /api/health in {run_s:.1f} s (goal < "
        f"{SECONDS_GOAL:.0f} s), .venv {mib(venv)} (goal < {mib(VENV_GOAL)}; with the test "
        f"tools {mib(dev_venv)}); Lambda package {mib(package.zipped)} zipped (goal < "
        f"{mib(ZIP_GOAL)})."
    )
    section.add(
        "A `git clone` of this commit, then `make run` (the pinned uv into `.tools/`, the "
        "hashed `requirements/local.txt` into `.venv`; no npm: the pages need no package) "
        "until `/api/health` answers "
        "200, with the uv, pip and npm caches warm and the Debian packages already on the "
        "machine (the OCR engine, `tesseract-ocr`, lives outside `.venv`: on a machine without "
        "it `make run` first installs it with apt-get, about 15 s here). Baseline, in the same "
        "clone: `make install-dev`, the profile `make test` adds (what every install was before "
        "the split).",
        table(
            ["install", "time", ".venv size"],
            [
                ["`make run` → /api/health", f"{run_s:.1f} s", mib(venv)],
                [
                    "then `make install-dev` (baseline: everything)",
                    f"+{figures['dev_seconds']:.1f} s",
                    f"{mib(dev_venv)} ({ratio(dev_venv, venv)})",
                ],
                ["`.tools/` (the pinned uv, outside .venv)", "", mib(figures["tools"])],
            ],
        ),  # fmt: skip
        f"Lambda package ({package.method}): **{mib(package.zipped)} zipped**, "
        f"{mib(package.unzipped)} unzipped, {package.files:,} files; Lambda's direct-upload "
        f"limit {mib(LAMBDA_ZIP_UPLOAD_LIMIT)}. The largest parts and why they are there:",
        table(["top-level entry", "unzipped", "share", "why"], _package_rows(package)),
    )
    return section
