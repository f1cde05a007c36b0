"""Exports: CSV and JSON of one user's 1M expenses through the service (the v1 stream) and the
job (`services.exports.run_export` writing through the local export-files adapter), beside the
floor (a bare SQLite cursor into csv.writer); the v1 export over HTTP, CSV and JSON; and the
evidence pack of 10k expenses with 1k receipts beside a plain zip of the same files. Each
in-process export runs in a fresh process, so its peak RSS is its own."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from expense_tracker.adapters.local.files import LocalReceiptStore
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.expense import Receipt
from expense_tracker.domain.receipts import receipt_key

from . import export_http
from .dataset import BATCH, CREATED, bulk_load, expenses, seeded
from .export_job_probe import SECRET
from .plan import Plan
from .report import Section, count, mib, ratio, table

USER = "bench-exporter"
SCALE_USER = "bench-user"  # the scale section's data
RECEIPT_BYTES = 40 * 1024  # a phone photo of a receipt, after compression: tens of KB
CSV_GOAL, HTTP_CSV_GOAL, HTTP_JSON_GOAL = 200_000, 150_000, 100_000  # rows/s (issues 17, 19)
MEMORY_GOAL = 50 * 2**20
BIG_MODES = (
    ("v1 export service, CSV (streamed, counted)", "v1"),
    ("job, CSV (to a file)", "csv"),
    ("job, JSON (to a file)", "json"),
)
PACK_MODES = (
    ("job, evidence pack (zip)", "zip"),
    ("plain zip of the same files: the pack's baseline", "plain-zip"),
)


def sizes(plan: Plan) -> tuple[int, int, int, int]:
    """(big rows, HTTP rows, pack rows, pack receipts)."""
    return (20_000, 10_000, 1_000, 100) if plan.quick else (1_000_000, 100_000, 10_000, 1_000)


def load(data_dir: Path, rows: int, receipts: int) -> None:
    """The rows through add_many; the first `receipts` of them with a receipt file."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(data_dir / "bench.sqlite3")
    store = SqliteExpenseStore(db)
    files = LocalReceiptStore(data_dir / "receipts", SECRET, "")
    photo = os.urandom(RECEIPT_BYTES)  # incompressible, as a JPEG is
    made = expenses(USER, rows, seed=11)
    try:
        first = True
        while batch := list(itertools.islice(made, BATCH)):
            if first:
                batch = [_with_receipt(e, files, photo) if i < receipts else e
                         for i, e in enumerate(batch)]  # fmt: skip
                first = False
            store.add_many(batch)
    finally:
        db.close()


def load_big(data_dir: Path, rows: int, plan: Plan) -> str:
    """`rows` expenses in data_dir/bench.sqlite3; the user they belong to. At a size the scale
    section measures, a copy of its data (loaded once per run), else loaded here."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if rows in plan.scale_sizes:
        snapshot = dict(seeded(data_dir.parent.parent / "seeded", SCALE_USER, plan.scale_sizes))
        shutil.copyfile(snapshot[rows], data_dir / "bench.sqlite3")
        return SCALE_USER
    db = Database(data_dir / "bench.sqlite3")
    try:
        bulk_load(SqliteExpenseStore(db), USER, rows, seed=13)
    finally:
        db.close()
    return USER


def _with_receipt(expense: Any, files: LocalReceiptStore, photo: bytes) -> Any:
    key = receipt_key(USER, expense.id, "r1")
    files.write(key, photo, "image/jpeg")
    return replace(expense, receipt=Receipt("image/jpeg", len(photo), CREATED, key))


def probe(data_dir: Path, mode: str, user: str = USER) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_job_probe", str(data_dir), user, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def floor(data_dir: Path, user: str) -> dict[str, Any]:
    """The floor, in a fresh process too: a bare SQLite cursor into csv.writer."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_probe", str(data_dir / "bench.sqlite3"),
         user, "raw"],
        capture_output=True, text=True, check=True, timeout=1200,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def collect(plan: Plan, workdir: Path) -> dict[str, Any]:
    big_rows, http_rows, pack_rows, receipts = sizes(plan)
    big, pack = workdir / "export-big", workdir / "export-pack"
    print(f"  export_jobs: loading {count(big_rows)} rows", flush=True)
    owner = load_big(big, big_rows, plan)
    figures: dict[str, Any] = {"floor": floor(big, owner)}
    figures.update({mode: probe(big, mode, owner) for _, mode in BIG_MODES})
    print(f"  export_jobs: HTTP at {count(http_rows)} rows", flush=True)
    figures["http"] = export_http.measure(workdir, http_rows)
    load(pack, pack_rows, receipts)
    figures.update({mode: probe(pack, mode) for _, mode in PACK_MODES})
    figures["sizes"] = sizes(plan)
    return figures


def run(plan: Plan, workdir: Path) -> Section:
    figures = collect(plan, workdir)
    big_rows, http_rows, pack_rows, receipts = figures["sizes"]
    section = Section("Exports: service, HTTP, jobs, evidence pack", data=figures)
    v1, base = figures["v1"], figures["floor"]
    http_csv, http_json = figures["http"]["csv"], figures["http"]["json"]
    pack, plain = figures["zip"], figures["plain-zip"]
    section.headlines.append(
        f"Export at {count(big_rows)} rows: service CSV {count(_rate(v1))} rows/s (goal "
        f"{count(CSV_GOAL)}; floor {count(_rate(base))}), RSS growth {mib(_growth(v1))} (goal "
        f"< {mib(MEMORY_GOAL)}); HTTP at {count(http_rows)} rows: CSV {count(_rate(http_csv))} "
        f"rows/s (goal {count(HTTP_CSV_GOAL)}), JSON {count(_rate(http_json))} (goal "
        f"{count(HTTP_JSON_GOAL)}); evidence pack of {count(pack_rows)} expenses with "
        f"{count(receipts)} receipts {pack['seconds']:.1f} s "
        f"({ratio(pack['seconds'], plain['seconds'])} a plain zip), "
        f"peak RSS {mib(pack['peak_rss_kib'] * 1024)}."
    )
    section.add(
        f"One user with {count(big_rows)} expenses in SQLite (`dataset.bulk_load`: ten years, "
        "random dates). The date index covers every column and holds each row's finished CSV "
        "line (migration 10, a generated column), so an export in date order reads that one "
        "index front to back instead of a table page per row; CSV lines come from the index, "
        "JSON records are built by SQLite per row, Python only joins a page. Each line is one "
        "export in a fresh process (peak RSS is VmHWM; growth is the peak less the RSS before "
        "the export began). Baseline: the floor, a bare SQLite cursor in the same order (it "
        "reads the same covering index, its raw columns) written by `csv.writer`, no domain "
        "objects and no paging.",
        table(
            ["export", "time", "rows/s", "goal", "size", "peak RSS", "RSS growth", "÷ floor"],
            [_row("floor: bare cursor into csv.writer (baseline)", base, base, None)]
            + [
                _row(label, figures[m], base, CSV_GOAL if m != "json" else None)
                for label, m in BIG_MODES
            ],  # fmt: skip
        ),
        f"The v1 export over HTTP (`GET /api/expenses/export`, uvicorn as `serve` runs it, one "
        f"worker) of {count(http_rows)} rows, read whole by an httpx client on the same "
        "machine; the server's RSS before and its peak after (VmHWM). Baseline: the same "
        "format without HTTP above (CSV: the v1 export service; JSON: the JSON job).",
        table(
            ["format", "time", "rows/s", "goal", "size", "server RSS growth", "÷ without HTTP"],
            [
                _http_row("CSV", http_csv, HTTP_CSV_GOAL, v1),
                _http_row("JSON", http_json, HTTP_JSON_GOAL, figures["json"]),
            ],
        ),
        f"The evidence pack of {count(pack_rows)} expenses, {count(receipts)} of them with a "
        f"{RECEIPT_BYTES // 1024} KiB receipt: the CSV, the JSON and every receipt, each "
        "hashed (SHA-256) as it is written, rates.csv and a manifest, to a forward-only stream. "
        "Baseline: the same CSV, JSON and receipt files zipped with `zipfile` alone.",
        table(
            ["export", "time", "size", "peak RSS", "RSS growth", "time ÷ baseline"],
            [_pack_row(label, figures[m], plain) for label, m in PACK_MODES],
        ),
    )
    return section


def _rate(f: dict[str, Any]) -> float:
    return float(f["rows"] / f["seconds"])


def _growth(f: dict[str, Any]) -> float:
    return float(max(f["peak_rss_kib"] - f["rss_before_kib"], 0) * 1024)


def _row(label: str, f: dict[str, Any], base: dict[str, Any], goal: int | None) -> list[str]:
    return [
        label,
        f"{f['seconds'] * 1000:,.0f} ms",
        count(_rate(f)),
        f"≥ {count(goal)}" if goal else "",
        mib(f["bytes"]),
        mib(f["peak_rss_kib"] * 1024),
        mib(_growth(f)),
        ratio(_rate(f), _rate(base)),
    ]


def _http_row(label: str, f: dict[str, Any], goal: int, service: dict[str, Any]) -> list[str]:
    return [
        label,
        f"{f['seconds'] * 1000:,.0f} ms",
        count(_rate(f)),
        f"≥ {count(goal)}",
        mib(f["bytes"]),
        mib(_growth(f)),
        ratio(_rate(f), _rate(service)),
    ]


def _pack_row(label: str, f: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    return [
        label,
        f"{f['seconds'] * 1000:,.0f} ms",
        mib(f["bytes"]),
        mib(f["peak_rss_kib"] * 1024),
        mib(_growth(f)),
        ratio(f["seconds"], baseline["seconds"]),
    ]
