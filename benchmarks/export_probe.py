"""One export in a fresh process, so its peak memory (max RSS) is the export's own.

    python -m benchmarks.export_probe DB USER_ID service|raw

Prints one JSON line: rows, bytes, seconds, rss_before_kib, peak_rss_kib. `service` streams the
app's CSV export (services.transfer.export_csv, page by page); `raw` is the floor: one SQLite
cursor written by csv.writer, with no domain objects."""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
import time
from typing import Any

from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.services.transfer import export_csv

RAW_SQL = (
    "SELECT id, spent_on, amount_minor, currency, category, description, receipt_key, "
    "created_at, updated_at FROM expenses WHERE user_id = ? ORDER BY spent_on DESC, id DESC"
)


class _Counter:
    """A file-like sink that only counts what is written (the network is not measured)."""

    def __init__(self) -> None:
        self.nbytes = 0

    def write(self, text: str) -> int:
        self.nbytes += len(text.encode())
        return len(text)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def current_rss_kib() -> int:
    return _status_kib("VmRSS")


def peak_rss_kib() -> int:
    """VmHWM, not getrusage's ru_maxrss: the latter survives fork and exec, so a child of a
    big parent would report the parent's size."""
    return _status_kib("VmHWM")


def export_service(db_path: str, user_id: str) -> tuple[int, int]:
    db = Database(db_path)
    try:
        rows = nbytes = 0
        for block in export_csv(
            store=SqliteExpenseStore(db), user_id=user_id, filters=ExpenseFilter()
        ):
            nbytes += len(block)
            rows += block.count(b"\r\n")  # the bench's descriptions hold no line breaks
        return rows - 1, nbytes  # less the header
    finally:
        db.close()


def export_raw(db_path: str, user_id: str) -> tuple[int, int]:
    sink = _Counter()
    writer = csv.writer(sink, lineterminator="\r\n")
    conn = sqlite3.connect(db_path)
    try:
        rows = 0
        for row in conn.execute(RAW_SQL, (user_id,)):
            writer.writerow(row)
            rows += 1
        return rows, sink.nbytes
    finally:
        conn.close()


def probe(db_path: str, user_id: str, mode: str) -> dict[str, Any]:
    run = export_service if mode == "service" else export_raw
    before = current_rss_kib()
    t0 = time.perf_counter()
    rows, nbytes = run(db_path, user_id)
    seconds = time.perf_counter() - t0
    peak = peak_rss_kib()
    return {
        "rows": rows,
        "bytes": nbytes,
        "seconds": seconds,
        "rss_before_kib": before,
        "peak_rss_kib": peak,
    }


if __name__ == "__main__":
    db_arg, user_arg, mode_arg = sys.argv[1:4]
    print(json.dumps(probe(db_arg, user_arg, mode_arg)))
