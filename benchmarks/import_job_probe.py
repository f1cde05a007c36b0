"""One import in a fresh process, so its peak memory (max RSS) is the import's own.

    python -m benchmarks.import_job_probe WORKDIR CSV job|v1

Prints one JSON line: rows, seconds, rss_before_kib, peak_rss_kib. `job` is the v2 path end to
end: the file is an uploaded object of the local receipt store, the start queues the "import"
job, and the SQLite jobs adapter's worker thread streams it into SQLite in batches; the time
runs from the start to the job's status reading done. `v1` is the synchronous
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
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.imports import SqliteImportLedger, SqliteRuleStore
from expense_tracker.adapters.sqlite.jobs import SqliteJobs
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore, SqliteProfiles
from expense_tracker.domain.imports import IMPORT_KIND
from expense_tracker.services import imports
from expense_tracker.services.import_job import ImportDeps, run_import
from expense_tracker.services.transfer import import_csv

from .export_probe import current_rss_kib, peak_rss_kib

USER = "bench-importer"
POLL_SECONDS = 0.02  # each poll is a read of the job row: often, and it would be the import's CPU


def prepare_job(db: Database, workdir: Path, csv_path: Path) -> Callable[[], int]:
    """The job, created with its file uploaded, and the worker thread running; the returned
    call starts the job, waits until it is done and returns how many rows it imported."""
    clock = SystemClock()
    receipts = LocalReceiptStore(workdir / "objects", b"k" * 32, "http://127.0.0.1")
    deps = ImportDeps(
        SqliteImportLedger(db), SqliteRuleStore(db), receipts, SqliteProfiles(db, "USD"), clock
    )
    jobs = SqliteJobs(db, clock)
    jobs.bind({IMPORT_KIND: lambda job, reporter: run_import(job, reporter, deps=deps)})
    jobs.start()
    size = csv_path.stat().st_size
    job, _ = imports.create_import(
        jobs=jobs, receipts=receipts, clock=clock, user_id=USER, fmt="csv", size=size
    )
    receipts.write(imports.upload_key(USER, job.id), csv_path.read_bytes(), "text/csv")

    def start() -> int:
        imports.start_import(jobs=jobs, receipts=receipts, user_id=USER, job_id=job.id)
        while (done := jobs.get(USER, job.id)).status not in ("done", "failed"):
            time.sleep(POLL_SECONDS)
        jobs.stop()
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
        t0, cpu0 = time.perf_counter(), time.process_time()
        rows = run()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        db.close()
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_kib": before,
        "peak_rss_kib": peak_rss_kib(),
    }


if __name__ == "__main__":
    print(json.dumps(probe(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])))
