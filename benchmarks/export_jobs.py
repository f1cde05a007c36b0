"""Export jobs: CSV, JSON and the evidence pack of one user's expenses through the job
(`services.exports.run_export` writing through the local export-files adapter), beside the
v1 streaming export of the same rows as the baseline, and the pack beside a plain zip of the
same files. Each export runs in a fresh process, so its peak RSS is its own."""

from __future__ import annotations

import itertools
import json
import os
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

from .dataset import BATCH, CREATED, expenses
from .export_job_probe import SECRET
from .plan import Plan
from .report import Section, count, mib, ratio, table

USER = "bench-exporter"
RECEIPT_BYTES = 40 * 1024  # a phone photo of a receipt, after compression: tens of KB
MODES = (
    ("v1 streaming export, CSV: baseline", "v1"),
    ("job, CSV", "csv"),
    ("job, JSON", "json"),
    ("job, evidence pack (zip)", "zip"),
    ("plain zip of the same files: the pack's baseline", "plain-zip"),
)


def sizes(plan: Plan) -> tuple[int, int]:
    """(rows, receipts): 100k rows with 1k receipts in the full run."""
    return (5_000, 100) if plan.quick else (100_000, 1_000)


def load(data_dir: Path, rows: int, receipts: int) -> None:
    """The rows through add_many; the first `receipts` of them with a receipt file."""
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


def _with_receipt(expense: Any, files: LocalReceiptStore, photo: bytes) -> Any:
    key = receipt_key(USER, expense.id, "r1")
    files.write(key, photo, "image/jpeg")
    return replace(expense, receipt=Receipt("image/jpeg", len(photo), CREATED, key))


def probe(data_dir: Path, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_job_probe", str(data_dir), USER, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(plan: Plan, workdir: Path) -> Section:
    rows, receipts = sizes(plan)
    load(workdir, rows, receipts)
    figures = {mode: probe(workdir, mode) for _, mode in MODES}
    section = Section("Export jobs", data=figures)
    base, pack, plain = figures["v1"], figures["zip"], figures["plain-zip"]
    job_csv = figures["csv"]
    section.headlines.append(
        f"Export job: {count(rows / job_csv['seconds'])} CSV rows/s at {count(rows)} rows "
        f"({ratio(job_csv['seconds'], base['seconds'])} the v1 stream's time); evidence pack "
        f"with {count(receipts)} receipts in {pack['seconds']:.1f} s, peak RSS "
        f"{mib(pack['peak_rss_kib'] * 1024)}."
    )
    section.add(
        f"One user with {count(rows)} expenses in SQLite, {count(receipts)} of them with a "
        f"{RECEIPT_BYTES // 1024} KiB receipt file. Each line is one export in a fresh process "
        "(peak RSS is VmHWM; growth is the peak less the RSS before the export began). The "
        "jobs write real files through the local export-files adapter (fsync and rename "
        "included); the v1 stream is only counted, as the network is not measured.",
        table(
            ["export", "time", "rows/s", "size", "peak RSS", "RSS growth", "time ÷ baseline"],
            [
                _row(label, figures[mode], figures["plain-zip" if mode == "zip" else "v1"])
                for label, mode in MODES
            ],  # fmt: skip
        ),
        f"The pack holds the CSV, the JSON and every receipt, each hashed (SHA-256) as it is "
        f"written, and a manifest; its plain-zip baseline zips the same files without hashes "
        f"({ratio(pack['seconds'], plain['seconds'])} its time).",
    )
    return section


def _row(label: str, f: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    growth = (f["peak_rss_kib"] - f["rss_before_kib"]) * 1024
    return [
        label,
        f"{f['seconds'] * 1000:,.0f} ms",
        count(f["rows"] / f["seconds"]),
        mib(f["bytes"]),
        mib(f["peak_rss_kib"] * 1024),
        mib(growth),
        ratio(f["seconds"], baseline["seconds"]),
    ]
