"""One import in a fresh process, so its peak memory (max RSS) is the import's own.

    python -m benchmarks.import_job_probe WORKDIR CSV job|v1

Prints one JSON line: rows, seconds, rss_before_kib, peak_rss_kib. `job` is the v2 path: the
file is an uploaded object of the local receipt store, and the "import" job (the handler
bootstrap registers) streams it into SQLite in chunks; `v1` is the synchronous
`services.transfer.import_csv` of the same bytes (the baseline)."""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from expense_tracker.adapters.common.clock import SystemClock
from expense_tracker.adapters.local.files import LocalReceiptStore
from expense_tracker.adapters.memory import MemoryJobs
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.imports import SqliteImportLedger, SqliteRuleStore
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore, SqliteProfiles
from expense_tracker.domain.imports import IMPORT_KIND
from expense_tracker.services import imports
from expense_tracker.services.import_job import ImportDeps, run_import
from expense_tracker.services.transfer import import_csv

from .export_probe import current_rss_kib, peak_rss_kib

USER = "bench-importer"


def prepare_job(db: Database, workdir: Path, csv_path: Path) -> Callable[[], int]:
    """The job, created with its file uploaded; the returned call starts it (run inline, as
    the worker would) and returns how many rows it imported."""
    clock = SystemClock()
    receipts = LocalReceiptStore(workdir / "objects", b"k" * 32, "http://127.0.0.1")
    deps = ImportDeps(
        SqliteImportLedger(db), SqliteRuleStore(db), receipts, SqliteProfiles(db, "USD"), clock
    )
    jobs = MemoryJobs(clock)
    jobs.bind({IMPORT_KIND: lambda job, reporter: run_import(job, reporter, deps=deps)})
    size = csv_path.stat().st_size
    job, _ = imports.create_import(
        jobs=jobs, receipts=receipts, clock=clock, user_id=USER, fmt="csv", size=size
    )
    receipts.write(imports.upload_key(USER, job.id), csv_path.read_bytes(), "text/csv")

    def start() -> int:
        done = imports.start_import(jobs=jobs, receipts=receipts, user_id=USER, job_id=job.id)
        if done.status != "done":
            raise RuntimeError(f"the import job ended {done.status}: {done.progress}")
        return int(str(done.progress["imported"]))

    return start


def import_v1(db: Database, data: bytes) -> int:
    result = import_csv(
        store=SqliteExpenseStore(db),
        clock=SystemClock(),
        profiles=SqliteProfiles(db, "USD"),
        user_id=USER,
        data=data,
    )
    if result.errors:
        raise RuntimeError(f"import reported errors: {result.errors[:3]}")
    return result.imported


def probe(workdir: Path, csv_path: Path, mode: str) -> dict[str, Any]:
    db = Database(workdir / f"{mode}.sqlite3")
    try:
        if mode == "job":
            run = prepare_job(db, workdir, csv_path)  # the file is in the store, not in memory
        else:
            data = csv_path.read_bytes()  # v1 takes the body as bytes

            def run() -> int:
                return import_v1(db, data)

        gc.collect()
        before = current_rss_kib()
        t0 = time.perf_counter()
        rows = run()
        seconds = time.perf_counter() - t0
    finally:
        db.close()
    return {
        "rows": rows,
        "seconds": seconds,
        "rss_before_kib": before,
        "peak_rss_kib": peak_rss_kib(),
    }


if __name__ == "__main__":
    print(json.dumps(probe(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])))
