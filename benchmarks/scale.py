"""Scale: one user with 1k ... 1M expenses in SQLite, loaded with add_many (not over HTTP).

Each figure goes through the same service functions the HTTP routes call, so it is the app's
own cost less HTTP. The baseline of each row is the same figure at the smallest size."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.queries import search_order
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore, list_query
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.services.cursors import CursorCodec
from expense_tracker.services.expenses import list_records

from .dataset import seeded, seeded_load_rate
from .plan import Plan
from .report import Section, count, mib, ms, ratio, table
from .timing import sample

USER = "bench-user"
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
# Six years of one category: a full page even at 1k rows, so the 1k baseline is a real page.
FILTERED = ExpenseFilter(date_from=date(2020, 1, 1), date_to=YEAR[1], category="Travel")
# (label, how it grows, filters) for the list pages measured at every size.
PAGES: tuple[tuple[str, ExpenseFilter], ...] = (
    ("first page (50, newest first)", ExpenseFilter()),
    ("filtered page (category + 6 years)", FILTERED),
    ("text search, common word", ExpenseFilter(text="coffee")),
    ("text search, no match", ExpenseFilter(text="no-such-text")),
)
SUMMARIES = (("summary of a year", YEAR), ("summary of all time", (None, None)))


def _page_timer(store: SqliteExpenseStore, filters: ExpenseFilter) -> Callable[[], object]:
    cursors = CursorCodec(b"bench-secret" * 3)
    return lambda: list_records(store=store, cursors=cursors, user_id=USER, filters=filters)


def _summary_timer(
    store: SqliteExpenseStore, period: tuple[date | None, date | None]
) -> Callable[[], object]:
    return lambda: store.summary(USER, period[0], period[1])


def run_export(db_path: Path, mode: str) -> dict[str, Any]:
    """The export in a fresh interpreter, so the peak RSS is the export's alone."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_probe", str(db_path), USER, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(store: SqliteExpenseStore, db_path: Path, plan: Plan) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    timers = [(label, _page_timer(store, f)) for label, f in PAGES]
    timers += [(label, _summary_timer(store, period)) for label, period in SUMMARIES]
    for label, fn in timers:
        figures[label] = sample(fn, runs=plan.samples, budget=plan.sample_budget_seconds).median
    figures["export"] = run_export(db_path, "service")
    figures["export_raw"] = run_export(db_path, "raw")
    figures["db_bytes"] = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
    return figures


def query_plans(db: Database) -> list[str]:
    """SQLite's plan for the list queries: an index walk, no sort, means O(page); a search
    with few trigram candidates starts from them (by primary key) and sorts only them."""
    lines = []
    for label, filters in PAGES:
        order = search_order(db.connection(), USER, filters)
        sql, params = list_query(USER, filters, 51, None, order=order)
        steps = db.connection().execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        lines.append(f"- {label}: " + "; ".join(f"`{row[3]}`" for row in steps))
    return lines


def collect(plan: Plan, workdir: Path) -> tuple[dict[int, dict[str, Any]], list[str], float]:
    results: dict[int, dict[str, Any]] = {}
    plans: list[str] = []
    for size, db_path in seeded(workdir.parent / "seeded", USER, plan.scale_sizes):
        print(f"  scale: measuring at {size:,} rows", flush=True)
        db = Database(db_path)
        try:
            results[size] = measure(SqliteExpenseStore(db), db_path, plan)
            plans = query_plans(db)
        finally:
            db.close()
    return results, plans, seeded_load_rate(workdir.parent / "seeded", plan.scale_sizes)


def _latency_rows(results: dict[int, dict[str, Any]]) -> list[list[str]]:
    sizes = sorted(results)
    labels = [label for label, _ in PAGES] + [label for label, _ in SUMMARIES]
    rows = []
    for label in labels:
        base = results[sizes[0]][label]
        cells = [f"{ms(results[n][label])} ({ratio(results[n][label], base)})" for n in sizes]
        rows.append([label, *cells])
    return rows


def _export_rows(results: dict[int, dict[str, Any]]) -> list[list[str]]:
    rows = []
    for n in sorted(results):
        e, raw = results[n]["export"], results[n]["export_raw"]
        rate, raw_rate = e["rows"] / e["seconds"], raw["rows"] / raw["seconds"]
        growth = (e["peak_rss_kib"] - e["rss_before_kib"]) * 1024
        rows.append(
            [
                count(n),
                count(rate),
                f"{count(raw_rate)} ({ratio(rate, raw_rate)})",
                mib(e["bytes"]),
                f"{mib(e['peak_rss_kib'] * 1024)} (+{mib(max(growth, 0))})",
                mib(results[n]["db_bytes"]),
            ]
        )
    return rows


def run(plan: Plan, workdir: Path) -> Section:
    results, plans, load_rate = collect(plan, workdir)
    sizes = [count(n) for n in sorted(results)]
    section = Section("Scale: one user with many expenses (SQLite)", data={"results": results})
    small, big = min(results), max(results)
    first, summary = PAGES[0][0], SUMMARIES[1][0]
    export = results[big]["export"]
    section.headlines += [
        f"Scale, {count(big)} expenses: first page {ms(results[big][first])} "
        f"({ratio(results[big][first], results[small][first])} the {count(small)}-row figure); "
        f"summary of all time {ms(results[big][summary])}; export "
        f"{count(export['rows'] / export['seconds'])} rows/s, peak RSS growth "
        f"{mib(max(export['peak_rss_kib'] - export['rss_before_kib'], 0) * 1024)}.",
    ]
    section.add(
        f"Loaded with `SqliteExpenseStore.add_many` in batches of 50,000 rows at "
        f"{count(load_rate)} rows/s. Ten years of dates, 10 categories, 3 currencies. "
        "Latency: the median of up to "
        f"{plan.samples} calls of the service function (no HTTP); in brackets, the ratio to the "
        "same figure at the smallest size, the baseline: 1.00× means flat.",
        table(["query", *sizes], _latency_rows(results)),
        "Export: the CSV export service streamed to a byte counter, in a fresh process; rows/s "
        "beside the floor (a bare SQLite cursor into `csv.writer`, no domain objects) and the "
        "ratio to it; peak RSS of the process, and in brackets its growth during the export.",
        table(
            [
                "rows",
                "export rows/s",
                "floor rows/s (ratio)",
                "CSV size",
                "peak RSS (growth)",
                "database",
            ],
            _export_rows(results),
        ),
        "Query plans (SQLite): every page query walks an index in the order asked for and "
        "stops once the page is full (no sort step); text search filters the rows it walks:",
        "\n".join(plans),
        GROWTH_NOTES,
    )
    return section


GROWTH_NOTES = """What grows with N, and why:
- **First page, filtered page**: flat. Keyset pagination on `(user_id, spent_on DESC, id DESC)`
  and `(user_id, category_key, spent_on DESC, id DESC)`: SQLite reads 51 index entries whatever
  the table size.
- **Text search** asks the trigram index (FTS5) first. With few candidates (up to 2,000) it
  reads and sorts only those: a needle that matches nothing reads nothing, flat. With many, it
  walks the user's rows by date until a page is full; a common word fills it early, but the
  candidate list is still built in full, which grows with the word's matches.
- **Summary of a year, of all time**: O(months), not O(N). Every write keeps running totals
  per (user, month, currency, category) in its own transaction (`sqlite_totals`); a summary
  reads the totals of the whole months and sums only the partial months at either end from the
  expenses (at most a month of rows each). Here it grows until 100k rows, while the 3,600
  buckets (120 months x 10 categories x 3 currencies) fill up, then stays flat.
- **Export** is O(N) in time by nature; its memory stays flat (pages of 2,000 rows streamed)."""
