"""Side by side with a peer a user might pick instead: ihatemoney (Flask, SQLAlchemy, SQLite)
on gunicorn, installed into a throwaway venv under the bench workdir by the pinned uv in
.tools (never into the app's dependency groups), seeded with the same number of rows, and
loaded by the same client code on the same machine in the same run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from tests.support.server import _die_with_parent, free_port

from .servers import REPO, wait_for

IHATEMONEY = "ihatemoney==7.2.1"
GUNICORN = "gunicorn==27.0.1"
UV = REPO / ".tools" / "bin" / "uv"
REQUEST_CAP_SECONDS = 45  # one answer may take this long, then the line is given up
PROJECT_PASSWORD = "bench-password"  # a throwaway project on 127.0.0.1
SETTINGS = """
SQLALCHEMY_DATABASE_URI = "sqlite:///{db}"
SECRET_KEY = "bench-only"
SESSION_COOKIE_SECURE = False
ACTIVATE_DEMO_PROJECT = False
"""
# Bills copied from the one made through the API (payer, owers, type as ihatemoney wrote them).
SEED_SQL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO bill (payer_id, amount, date, what, creation_date, external_link,
                  converted_amount, original_currency, bill_type)
SELECT b.payer_id, 1 + (n.i % 20000) / 100.0, date('2025-12-31', '-' || (n.i % 3650) || ' days'),
       'seed ' || n.i, b.creation_date, '', 1 + (n.i % 20000) / 100.0, b.original_currency,
       b.bill_type
FROM n, bill b WHERE b.id = ?
"""


class PeerUnavailable(RuntimeError):
    """ihatemoney could not be installed or started here; the message says why."""


def install(workdir: Path) -> Path:
    """A venv with ihatemoney and gunicorn; its python."""
    if not UV.exists():
        raise PeerUnavailable(f"the pinned uv is missing ({UV}; `make bench` installs it)")
    venv = workdir / "peer-venv"
    steps = [
        [str(UV), "venv", "--quiet", "--python", sys.executable, str(venv)],
        [str(UV), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         IHATEMONEY, GUNICORN],
    ]  # fmt: skip
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            raise PeerUnavailable(f"`{' '.join(step[:3])}` failed: {done.stderr.strip()[-300:]}")
    return venv / "bin" / "python"


@contextmanager
def gunicorn(python: Path, workdir: Path) -> Iterator[tuple[str, Path]]:
    """ihatemoney on one sync gunicorn worker (its documented setup); yields URL, database."""
    db = workdir / "ihatemoney.sqlite3"
    settings = workdir / "ihatemoney.cfg"
    settings.write_text(SETTINGS.format(db=db))
    port = free_port()
    # --timeout: a request still running after the bench's cap is given up by the client, and
    # gunicorn replaces its worker, so the next line does not queue behind it.
    command = [str(python), "-m", "gunicorn", "-w", "1", "--timeout", str(REQUEST_CAP_SECONDS),
               "-b", f"127.0.0.1:{port}", "ihatemoney.wsgi:application"]  # fmt: skip
    env = {**os.environ, "IHATEMONEY_SETTINGS_FILE_PATH": str(settings)}
    with (workdir / "gunicorn.log").open("ab") as log:
        process = subprocess.Popen(
            command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=env,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/api/currencies", process)
        yield url, db
    finally:
        process.terminate()
        process.wait(timeout=20)


def seed_project(url: str, db: Path, name: str, rows: int) -> dict[str, str]:
    """A project with one member and `rows` bills; the headers that reach its API and its
    export (a bearer token, and the session cookie its web pages use), and the member's id
    (X-Member, for the adds; ihatemoney ignores the header)."""
    with httpx.Client(base_url=url, timeout=120) as client:
        form = {"name": name, "id": name, "password": PROJECT_PASSWORD,
                "contact_email": "bench@example.com"}  # fmt: skip
        client.post("/api/projects", data=form).raise_for_status()
        token = client.get(f"/api/projects/{name}/token", auth=(name, PROJECT_PASSWORD))
        bearer = {"Authorization": f"Bearer {token.json()['token']}"}
        member = client.post(f"/api/projects/{name}/members", data={"name": "a"}, headers=bearer)
        member.raise_for_status()
        payer = str(member.json())  # member ids are global, not per project
        bill = {"date": "2025-03-04", "what": "first", "payer": payer, "payed_for": payer,
                "amount": "12.50"}  # fmt: skip
        answer = client.post(f"/api/projects/{name}/bills", data=bill, headers=bearer)
        answer.raise_for_status()
        _copy_bills(db, int(answer.json()), rows - 1)
        client.get(f"/{name}/join/{token.json()['token']}")
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return {**bearer, "Cookie": cookie, "X-Member": payer}


def _copy_bills(db: Path, template_id: int, count: int) -> None:
    with sqlite3.connect(db) as conn:
        first = conn.execute("SELECT COALESCE(MAX(id), 0) FROM bill").fetchone()[0]
        conn.execute(SEED_SQL, (count, template_id))
        conn.execute(
            "INSERT INTO billowers (bill_id, person_id) SELECT id, "
            "(SELECT person_id FROM billowers WHERE bill_id = ?) FROM bill WHERE id > ?",
            (template_id, first),
        )


def durability(db: Path) -> str:
    """What the peer's database file and a default connection say (ihatemoney sets no PRAGMA:
    SQLAlchemy leaves SQLite's defaults)."""
    with sqlite3.connect(db) as conn:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"journal_mode={mode}, synchronous={names.get(sync, sync)}"
