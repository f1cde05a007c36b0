"""The `peer` section: the app beside ihatemoney on gunicorn (benchmarks/peer.py), add, list,
summary and export at two sizes, durability stated for both."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from tests.support.api import socket_api
from tests.support.server import running_server

from expense_tracker.adapters.local.wiring import DATABASE_FILE
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore

from .dataset import bulk_load
from .peer import (
    GUNICORN,
    IHATEMONEY,
    REQUEST_CAP_SECONDS,
    PeerUnavailable,
    durability,
    gunicorn,
    install,
    seed_project,
)
from .plan import Plan
from .report import Section, count, ms, table
from .throughput import ADD_BODY, UNLIMITED
from .wrk import Request, WrkResult, run_wrk

APP, PEER = "expense-tracker", "ihatemoney"
PEER_ADD = "date=2025-03-04&what=wrk&payer={member}&payed_for={member}&amount={n}"
FORM = "application/x-www-form-urlencoded"
OPERATIONS = ("add", "list", "summary", "export")
GIVEN_UP: dict[tuple[str, str, int], str] = {}  # (system, operation, rows) -> why: in its cell


def budget(plan: Plan) -> float:
    """Seconds of sequential requests per read line (at least one request)."""
    return 1.0 if plan.quick else 3.0


@dataclass(frozen=True)
class Timing:
    """Sequential requests on one connection: the median answer and its size."""

    requests: int
    median: float
    body_bytes: int


def timed(url: str, path: str, headers: dict[str, str], budget: float) -> Timing:
    """A warm-up request (first-use costs), then requests for `budget` seconds; a warm-up
    slower than the budget is the one figure (a dump of 100k rows is not repeated)."""
    took: list[float] = []
    size = 0
    with httpx.Client(base_url=url, headers=headers, timeout=REQUEST_CAP_SECONDS) as client:
        start = time.perf_counter()
        answer = client.get(path)
        answer.raise_for_status()
        if (warm := time.perf_counter() - start) > budget:
            return Timing(1, warm, len(answer.content))
        deadline = time.monotonic() + budget
        while not took or (time.monotonic() < deadline and len(took) < 200):
            start = time.perf_counter()
            answer = client.get(path)
            took.append(time.perf_counter() - start)
            answer.raise_for_status()
            size = len(answer.content)
    return Timing(len(took), statistics.median(took), size)


Figures = dict[tuple[str, str, int], Timing | WrkResult]  # (system, operation, rows)


def _paths(system: str, project: str) -> dict[str, str]:
    if system == APP:
        return {"list": "/api/expenses?limit=50", "summary": "/api/analytics/summary",
                "export": "/api/expenses/export?format=csv"}  # fmt: skip
    return {"list": f"/api/projects/{project}/bills",
            "summary": f"/api/projects/{project}/statistics",
            "export": f"/{project}/export/bills.csv"}  # fmt: skip


def measure(
    system: str, url: str, headers: dict[str, str], rows: int, plan: Plan, wd: Path
) -> Figures:
    project = f"p{rows}"
    figures: Figures = {}
    for operation, path in _paths(system, project).items():
        print(f"  peer: {system} {operation} at {rows} rows", flush=True)
        try:
            figures[(system, operation, rows)] = timed(url, path, headers, budget(plan))
        except httpx.HTTPError as failed:  # one failed line must not lose the others
            GIVEN_UP[(system, operation, rows)] = f"{type(failed).__name__}: {failed}"[:120]
    token = headers["Authorization"].removeprefix("Bearer ")
    peer_body = PEER_ADD.replace("{member}", headers.get("X-Member", "1"))
    add = (
        Request("/api/expenses", "POST", ADD_BODY, token)
        if system == APP
        else Request(f"/api/projects/{project}/bills", "POST", peer_body, token, FORM)
    )
    for seconds in (1, plan.wrk_seconds // 2 or 1):  # a warm-up, then the figure
        try:
            figures[(system, "add", rows)] = run_wrk(
                url, add, seconds=seconds, connections=plan.connections, threads=1, workdir=wd
            )
        except RuntimeError as failed:  # wrk itself gave up: the line is n/a, said why
            figures.pop((system, "add", rows), None)
            GIVEN_UP[(system, "add", rows)] = str(failed).splitlines()[0][:120]
            break
    return figures


def add_failure(figure: WrkResult) -> str | None:
    """Why an add line has no figure to read (None: it has one). A run with no successful
    answer would otherwise print as "0 adds/s, p99 0.000 ms", a figure it never measured."""
    if figure.requests == 0:
        return f"no answer in {figure.seconds:.0f} s, {figure.socket_errors} socket errors"
    if figure.non_2xx_3xx >= figure.requests:
        return f"all {count(figure.requests)} answers were errors"
    return None


def sizes(plan: Plan) -> tuple[int, ...]:
    return (1_000, 10_000) if plan.quick else (1_000, 100_000)


def collect_app(plan: Plan, workdir: Path) -> tuple[Figures, str]:
    figures: Figures = {}
    with running_server(workdir / "app-data", env=UNLIMITED, timeout=300) as server:
        db = Database(server.data_dir / DATABASE_FILE)
        try:
            for rows in sizes(plan):
                user = socket_api(server.base_url).new_user("peer")
                user.client.close()
                bulk_load(SqliteExpenseStore(db), user.user_id, rows, seed=5)
                headers = {"Authorization": f"Bearer {user.access_token}"}
                figures |= measure(APP, server.base_url, headers, rows, plan, workdir)
        finally:
            db.close()
    return figures, "journal_mode=wal, synchronous=FULL (set on every connection)"


def collect_peer(plan: Plan, workdir: Path) -> tuple[Figures, str]:
    python = install(workdir)
    figures: Figures = {}
    with gunicorn(python, workdir) as (url, db):
        for rows in sizes(plan):
            headers = seed_project(url, db, f"p{rows}", rows)
            figures |= measure(PEER, url, headers, rows, plan, workdir)
        return figures, durability(db)


def _cell(figure: Timing | WrkResult | None, operation: str, rows: int, why: str) -> str:
    if figure is None:
        return f"n/a ({why})"
    if isinstance(figure, WrkResult):
        if (failed := add_failure(figure)) is not None:
            return f"n/a ({failed})"
        errors = figure.non_2xx_3xx + figure.socket_errors
        shown = f"{count(figure.rate)} adds/s, p99 {ms(figure.p99)}"
        return shown + (f", {count(errors)} errors" if errors else "")
    if operation == "export":
        return f"{ms(figure.median)} ({count(rows / figure.median)} rows/s)"
    return f"{ms(figure.median)} ({count(1 / figure.median)}/s)"


def _speed(figure: Timing | WrkResult | None) -> float:
    if isinstance(figure, WrkResult):
        return 0.0 if add_failure(figure) else figure.rate
    return 1 / figure.median if figure is not None else 0.0


def comparison_table(figures: Figures, plan: Plan, missing: str = "not measured") -> str:
    rows = []
    for operation in OPERATIONS:
        for size in sizes(plan):
            mine, theirs = figures.get((APP, operation, size)), figures.get((PEER, operation, size))
            factor = _speed(mine) / _speed(theirs) if _speed(theirs) else 0.0
            ours = _cell(mine, operation, size, GIVEN_UP.get((APP, operation, size), missing))
            peers = _cell(theirs, operation, size, GIVEN_UP.get((PEER, operation, size), missing))
            rows.append(
                [operation, count(size), ours, peers, f"{factor:,.1f}×" if factor else "n/a"]
            )
    return table(["operation", "rows", APP, f"{PEER} on gunicorn", "app / peer"], rows)


def run(plan: Plan, workdir: Path) -> Section:
    GIVEN_UP.clear()
    figures, app_durability = collect_app(plan, workdir)
    section = Section(f"Side by side: {APP} and {PEER} on gunicorn", data={"figures": figures})
    try:
        peer_figures, peer_durability = collect_peer(plan, workdir)
        figures |= peer_figures
        why = ""
    except (PeerUnavailable, RuntimeError, httpx.HTTPError, OSError) as exc:
        peer_durability, why = "not measured", f"{PEER} could not be measured here: {exc}"
    section.add(
        f"The same machine, the same run: {APP} (`serve`, one uvicorn worker) and {PEER} "
        f"({IHATEMONEY}, {GUNICORN}, one sync worker as its docs run it, SQLite), each with one "
        "user (a project) holding the rows, seeded in bulk into its own database after one "
        "record made through its API. Reads are sequential requests on one connection (the "
        "median); adds are `wrk -c"
        f"{plan.connections}` with a distinct amount per add. The peer has no paged list, so "
        "its `list` is all of the project's bills (ours: a page of 50); `summary` is its "
        "statistics (balances per member; ours: totals by currency, category and month); "
        "`export` is the CSV of every row in both. One answer may take "
        f"{REQUEST_CAP_SECONDS} s; a line slower than that is given up (n/a, said below).",
        comparison_table(figures, plan, "not measured, said below" if why else "not measured"),
        f"Durability: {APP}: {app_durability}, each add acknowledged after its commit's fsync "
        f"(group commit). {PEER}: {peer_durability} (a rollback journal; SQLite's default "
        "FULL syncs each commit), so both acknowledge an add only once it is on disk.",
        *([why] if why else []),
    )
    return section
