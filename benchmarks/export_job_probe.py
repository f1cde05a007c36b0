"""One export in a fresh process, so its peak memory (VmHWM) is the export's own.

    python -m benchmarks.export_job_probe DATA_DIR USER_ID v1|csv|json|zip|plain-zip

Prints one JSON line: rows, bytes, seconds, rss_before_kib, peak_rss_kib.
- `v1`: the streaming export as `GET /api/expenses/export` sends it (a block per page), counted;
- `csv`, `json`, `zip`: the export job (`services.exports.run_export`) writing its file
  through the local export-files adapter, as the server does;
- `plain-zip`: the baseline for the pack: the job's own CSV and JSON and the same receipt
  files, zipped with `zipfile` alone (no manifest, no hashes, no forward-only stream)."""

from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from expense_tracker.adapters.common.clock import SystemClock
from expense_tracker.adapters.local.exports import LocalExportFiles
from expense_tracker.adapters.local.files import LocalReceiptStore
from expense_tracker.adapters.memory import MemoryRates
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore, SqliteProfiles
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.ports.jobs import Job, JobData
from expense_tracker.services.exports import ExportDeps, export_key, run_export
from expense_tracker.services.jobs import new_job
from expense_tracker.services.transfer import export_csv

from .export_probe import current_rss_kib, peak_rss_kib

SECRET = b"bench-secret" * 3


class _Quiet:
    def report(self, progress: JobData) -> None:
        del progress

    def out_of_time(self) -> bool:
        return False


def _deps(data_dir: Path, db: Database) -> ExportDeps:
    clock = SystemClock()
    return ExportDeps(
        store=SqliteExpenseStore(db),
        receipts=LocalReceiptStore(data_dir / "receipts", SECRET, ""),
        files=LocalExportFiles(data_dir / "exports", SECRET, "", clock=clock),
        rates=MemoryRates({}),
        profiles=SqliteProfiles(db, "USD"),
        clock=clock,
    )


def _v1(deps: ExportDeps, user_id: str) -> tuple[int, int]:
    nbytes = lines = 0
    for block in export_csv(store=deps.store, user_id=user_id, filters=ExpenseFilter()):
        nbytes += len(block)
        lines += block.count(b"\r\n")  # the bench's descriptions hold no line breaks
    return lines - 1, nbytes  # less the header


def _job(deps: ExportDeps, user_id: str, fmt: str) -> tuple[int, int, Job]:
    params = {"format": fmt, "from": None, "to": None, "category": None, "q": None}
    job = new_job(
        user_id=user_id, kind="export", params=params, status="running", now=deps.clock.now()
    )
    result = run_export(job, _Quiet(), deps=deps)
    return int(str(result["rows"])), int(str(result["bytes"])), job


def _plain_zip(deps: ExportDeps, data_dir: Path, user_id: str) -> tuple[int, int]:
    """The same files as the pack, zipped plainly (the CSV and JSON written by the jobs)."""
    rows, _, csv_job = _job(deps, user_id, "csv")
    _, _, json_job = _job(deps, user_id, "json")
    out = data_dir / "plain.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as pack:
        for job in (csv_job, json_job):
            pack.write(data_dir / "exports" / export_key(job), f"expenses.{job.params['format']}")
        for expense in deps.store.iterate(user_id, ExpenseFilter()):
            if expense.receipt is not None:
                source = data_dir / "receipts" / "objects" / expense.receipt.key
                pack.write(source, f"receipts/{expense.id}.jpg", zipfile.ZIP_STORED)
    return rows, out.stat().st_size


def probe(data_dir: Path, user_id: str, mode: str) -> dict[str, Any]:
    db = Database(data_dir / "bench.sqlite3")
    deps = _deps(data_dir, db)
    before = current_rss_kib()
    t0 = time.perf_counter()
    if mode == "v1":
        rows, nbytes = _v1(deps, user_id)
    elif mode == "plain-zip":
        rows, nbytes = _plain_zip(deps, data_dir, user_id)
    else:
        rows, nbytes, _ = _job(deps, user_id, mode)
    seconds = time.perf_counter() - t0
    db.close()
    return {
        "rows": rows,
        "bytes": nbytes,
        "seconds": seconds,
        "rss_before_kib": before,
        "peak_rss_kib": peak_rss_kib(),
    }


if __name__ == "__main__":
    dir_arg, user_arg, mode_arg = sys.argv[1:4]
    print(json.dumps(probe(Path(dir_arg), user_arg, mode_arg)))
