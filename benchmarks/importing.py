"""Import: rows/s for a CSV through the service (`services.transfer.import_csv`) into SQLite."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from expense_tracker.adapters.common.clock import SystemClock
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore, SqliteProfiles
from expense_tracker.domain.csv_format import parse_import
from expense_tracker.services.transfer import import_csv

from .dataset import csv_bytes
from .plan import Plan
from .report import Section, count, mib, ms, ratio, table
from .timing import stopwatch

USER = "bench-importer"
STEPS = (
    ("import_csv (read, validate, store)", "import"),
    ("parse_import (read, validate): baseline", "parse"),
    ("csv.reader only: the floor", "csv_reader"),
)


def csv_reader_only(data: bytes) -> None:
    """The floor: Python's csv module reading the same file, nothing else."""
    for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        pass


def parse_only(data: bytes) -> None:
    """Reading plus validation (the domain's parse_import), without storing."""
    parse_import(data.decode("utf-8-sig"), default_currency="USD", today=date(2026, 1, 1))


def import_once(db_path: Path, data: bytes) -> int:
    db = Database(db_path)
    try:
        result = import_csv(
            store=SqliteExpenseStore(db),
            clock=SystemClock(),
            profiles=SqliteProfiles(db, "USD"),
            user_id=USER,
            data=data,
        )
    finally:
        db.close()
    if result.errors:
        raise RuntimeError(f"import reported errors: {result.errors[:3]}")
    return result.imported


def measure(rows: int, workdir: Path) -> dict[str, float]:
    data = csv_bytes(rows, seed=7)
    imported: list[int] = []
    seconds = stopwatch(lambda: imported.append(import_once(workdir / "import.sqlite3", data)))
    return {
        "rows": float(imported[0]),
        "bytes": float(len(data)),
        "import": seconds,
        "parse": stopwatch(lambda: parse_only(data)),
        "csv_reader": stopwatch(lambda: csv_reader_only(data)),
    }


def run(plan: Plan, workdir: Path) -> Section:
    f = measure(plan.import_rows, workdir)
    rows = f["rows"]
    section = Section("Import", data=f)
    section.headlines.append(
        f"Import: {count(rows / f['import'])} rows/s for a {count(rows)}-row CSV "
        f"({ratio(f['import'], f['parse'])} the time of reading and validating alone)."
    )
    section.add(
        f"A {count(rows)}-row CSV ({mib(f['bytes'])}, the columns import reads) through "
        "`import_csv` into an empty SQLite database: one call, all-or-nothing, one transaction. "
        "Baselines from the same file in the same run: reading it with `csv.reader` alone (the "
        "floor), and reading plus validating (`parse_import`) without storing.",
        table(
            ["step", "time", "rows/s", "import_csv's time ÷ this step's"],
            [
                [label, ms(f[key]), count(rows / f[key]), ratio(f["import"], f[key])]
                for label, key in STEPS
            ],
        ),
        f"Of the import's time, {f['parse'] / f['import']:.0%} is reading and validating "
        "(Decimal amounts, dates, categories; `csv.reader` itself is "
        f"{f['csv_reader'] / f['import']:.1%}); the rest is building the expenses (a ULID each) "
        "and SQLite's inserts into three b-trees, committed once (synchronous=FULL).",
    )
    return section
