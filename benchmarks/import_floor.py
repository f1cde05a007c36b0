"""The insert floor of the expenses schema, one component at a time, in one process.

    python -m benchmarks.import_floor [ROWS] [VARIANT ...]

Each variant is a fresh database file holding part of the schema; ROWS rows (the import
bench's shape: random dates over years, "word N" descriptions) go in as the import ledger
writes them (10,000-row transactions, each through a TEMP staging table and one INSERT ...
SELECT, synchronous=NORMAL, the ledger's cache size). Prints CPU seconds (process_time, the
median of REPEAT runs) and rows per CPU second for each, so the cost of each index, the FTS5
search index and the stored CSV line can be read off as differences."""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from expense_tracker.adapters.sqlite import db as schema
from expense_tracker.adapters.sqlite.imports import CACHE_KIB
from expense_tracker.adapters.sqlite.queries import STAGING
from expense_tracker.domain.expense import DEFAULT_CATEGORIES

from .dataset import WORDS

REPEAT = 3
BATCH = int(os.environ.get("FLOOR_BATCH", "10000"))  # rows per transaction
STEP = int(os.environ.get("FLOOR_STEP", "10000"))  # rows per INSERT ... SELECT (the job's step)
_TABLE = schema.MIGRATIONS[0].split("CREATE TABLE expenses")[1].split(";")[0]
TABLE = f"CREATE TABLE expenses {_TABLE}; ALTER TABLE expenses ADD COLUMN recurring_id TEXT;"
BY_CATEGORY = (
    "CREATE INDEX expenses_by_category ON expenses(user_id, category_key, spent_on DESC, id DESC);"
)
BY_MONEY = schema.MIGRATIONS[8]
NARROW_DATE = "CREATE INDEX expenses_by_date ON expenses(user_id, spent_on DESC, id DESC);"
_COVERED = (
    "amount_minor, currency, category, category_key, description, created_at, updated_at, "
    "version, receipt_content_type, receipt_size, receipt_uploaded_at, receipt_key, recurring_id"
)
COVERING_DATE = NARROW_DATE.replace("id DESC)", f"id DESC, {_COVERED})")
_GENERATED = schema.MIGRATIONS[9].split("DROP INDEX")[0]
COVERING_CSV = _GENERATED + NARROW_DATE.replace(
    "id DESC)", f"id DESC, export_csv, export_amount, {_COVERED})"
)
FTS = schema.MIGRATIONS[3]
LEDGER = (
    schema.MIGRATIONS[1].split("INSERT INTO")[0]
    + schema.MIGRATIONS[4].split("CREATE TABLE rules")[0]
    + schema.MIGRATIONS[6].split("INSERT INTO")[0]
)
EXPORTS = BY_CATEGORY + BY_MONEY + COVERING_CSV

VARIANTS: dict[str, str] = {
    "bare table (PK only)": TABLE,
    "+ by_category": TABLE + BY_CATEGORY,
    "+ by_category, by_money": TABLE + BY_CATEGORY + BY_MONEY,
    "+ narrow date index": TABLE + BY_CATEGORY + BY_MONEY + NARROW_DATE,
    "+ covering date index, no CSV": TABLE + BY_CATEGORY + BY_MONEY + COVERING_DATE,
    "+ covering date index with CSV (v10)": TABLE + EXPORTS,
    "+ FTS5 trigram (v10 expenses)": TABLE + EXPORTS + FTS,
    "FTS5 alone (bare table + FTS)": TABLE + FTS,
    "FTS5 detail=none alone": TABLE + FTS.replace("tokenize=", "detail=none, tokenize="),
    "+ import_keys, totals (all v10)": TABLE + EXPORTS + FTS + LEDGER,
}


def rows(count: int, seed: int = 11) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    last = date(2026, 6, 30)
    moment = "2026-07-01T09:00:00.000000+00:00"
    out = []
    for i in range(count):
        category = rng.choice(DEFAULT_CATEGORIES)
        out.append(
            (
                "bench-importer",
                f"01JOB{i:021d}",  # the job's ids (import_ids.RowIds) ascend
                rng.randint(100, 20_099),
                "USD",
                category,
                category.casefold(),
                f"{rng.choice(WORDS)} {i}",
                (last - timedelta(days=rng.randrange(3650))).isoformat(),
                moment,
                moment,
                1,
                None,
                None,
                None,
                None,
                None,
            )
        )
    return out


def _connect(path: Path, script: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    conn.create_function("casefold", 1, lambda v: v.casefold(), deterministic=True)
    conn.executescript(script)
    return conn


def _ledger_extra(conn: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> None:
    conn.executemany(
        "INSERT INTO import_keys (user_id, key, job_id, expense_id) VALUES (?, ?, 'job', ?)",
        [(r[0], uuid.UUID(int=random.getrandbits(128)).hex, r[1]) for r in batch],
    )
    for table, period in (("month_totals", "substr(spent_on, 1, 7)"), ("day_totals", "spent_on")):
        conn.execute(
            f"INSERT INTO {table} SELECT user_id, {period}, currency, category, 0, "
            "sum(amount_minor), count(*) FROM temp.expense_staging WHERE true GROUP BY 1, 2, 3, 4 "
            "ON CONFLICT DO UPDATE SET minor_low = minor_low + excluded.minor_low, "
            "count = count + excluded.count"
        )


def insert_all(conn: sqlite3.Connection, data: list[tuple[Any, ...]], ledger: bool) -> None:
    create, clear, stage, insert = STAGING
    conn.execute(create)
    for start in range(0, len(data), BATCH):
        batch = data[start : start + BATCH]
        conn.execute("BEGIN IMMEDIATE")
        for first in range(0, len(batch), STEP):
            step = batch[first : first + STEP]
            conn.executemany(stage, step)
            conn.execute(insert)
            if ledger:
                _ledger_extra(conn, step)
            conn.execute(clear)
        conn.execute("COMMIT")


def measure(
    script: str, data: list[tuple[Any, ...]], run: Callable[..., None] = insert_all
) -> float:
    spent = []
    for _ in range(REPEAT):
        with tempfile.TemporaryDirectory() as folder:
            conn = _connect(Path(folder) / "floor.db", script)
            began = time.process_time()
            run(conn, data, "import_keys" in script)
            spent.append(time.process_time() - began)
            conn.close()
    return statistics.median(spent)


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv else 100_000
    chosen = argv[1:] or list(VARIANTS)
    data = rows(count)
    print(f"{count:,} rows, {BATCH:,}-row transactions, {STEP:,}-row steps, median of {REPEAT}")
    print("| variant | CPU s | rows/CPU s | µs/row |\n|---|---:|---:|---:|")
    for name in chosen:
        cpu = measure(VARIANTS[name], data)
        print(f"| {name} | {cpu:.2f} | {count / cpu:,.0f} | {cpu / count * 1e6:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
