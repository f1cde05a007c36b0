"""The summary in the home currency (each day converted at its own ECB rate, from the SQLite
per-day totals) beside the same summary without conversion (same store pass over the same day
totals, same filters), measured on the same database in the same run, interleaved so both
see the same machine. Two row sets: the 10-year data of the scale section (a year holds a
tenth of the expenses) and a dense year (the same expenses' totals folded into one year), so
the growth from 100k to 1M is also read with the year's buckets full at both sizes."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from expense_tracker.adapters.common.ecb_rates import EcbRates
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore, SqliteProfiles
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.domain.profile import ProfileChanges
from expense_tracker.domain.summary_totals import summary_of_totals
from expense_tracker.services.summary import summarize_expenses

from .dataset import seeded
from .plan import Plan
from .report import Section, count, ms, ratio, table
from .timing import stopwatch

USER = "bench-user"
DENSE_USER = "dense-user"
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
TARGET = 2.0  # the issue: within 2x of the same summary without conversion
CASES: tuple[tuple[str, ExpenseFilter], ...] = (
    ("a year", ExpenseFilter(date_from=YEAR[0], date_to=YEAR[1])),
    ("all time (10 years)", ExpenseFilter()),
    ("a year, category", ExpenseFilter(date_from=YEAR[0], date_to=YEAR[1], category="Food")),
    ("a year, text search", ExpenseFilter(date_from=YEAR[0], date_to=YEAR[1], text="taxi")),
)
# The dense year has totals only (see dense_year): no text search on it.
DENSE_CASES: tuple[tuple[str, ExpenseFilter], ...] = (
    ("dense year: a year", CASES[0][1]),
    ("dense year: a year, category", CASES[2][1]),
)
# 29 February of a leap year goes to the 28th: 2025 has no 29th.
FOLDED_DAY = (
    "CASE WHEN substr(day, 6) = '02-29' THEN '2025-02-28' ELSE '2025' || substr(day, 5) END"
)


@dataclass(frozen=True)
class Figure:
    plain: float  # the summary without conversion: the store's sums + per-currency figures (s)
    home: float  # the same plus the home-currency figures (the endpoint's service) (s)
    monthly: float  # for reference: the per-currency summary from monthly totals (s)
    rows: int  # day totals read


def sizes(plan: Plan) -> tuple[int, ...]:
    return (1_000, 10_000) if plan.quick else (100_000, 1_000_000)


def interleaved(
    first: Callable[[], object], second: Callable[[], object], plan: Plan
) -> tuple[float, float]:
    """Medians of `first` and `second` run by turns (after a warm-up of each), so a busy
    moment of the machine weighs on both alike."""
    first(), second()
    times: tuple[list[float], list[float]] = ([], [])
    started = time.perf_counter()
    while len(times[0]) < plan.samples:
        for fn, spent in zip((first, second), times, strict=True):
            spent.append(stopwatch(fn))
        if len(times[0]) >= 3 and time.perf_counter() - started > 2 * plan.sample_budget_seconds:
            break
    return statistics.median(times[0]), statistics.median(times[1])


def measure(
    db: Database, user: str, cases: tuple[tuple[str, ExpenseFilter], ...], plan: Plan
) -> dict[str, Figure]:
    store, profiles, rates = SqliteExpenseStore(db), SqliteProfiles(db, "USD"), EcbRates()
    profiles.update_profile(user, ProfileChanges(home_currency="EUR"))
    figures = {}
    for label, filters in cases:
        home = partial(
            summarize_expenses,
            store=store,
            rates=rates,
            profiles=profiles,
            user_id=user,
            filters=filters,
        )

        def plain(f: ExpenseFilter = filters) -> object:
            return summary_of_totals(store.summary_totals(user, f, None), f.date_from, f.date_to)

        monthly = partial(store.summary, user, filters.date_from, filters.date_to)
        plain_s, home_s = interleaved(plain, home, plan)
        monthly_s = statistics.median(stopwatch(monthly) for _ in range(5))
        rows = len(store.day_totals(user, filters))
        figures[label] = Figure(plain_s, home_s, monthly_s, rows)
    return figures


def dense_year(seeded_db: Path, size: int, workdir: Path) -> Database:
    """A database where DENSE_USER's year 2025 holds all `size` seeded expenses: their day
    totals with the dates folded into 2025, summed by one INSERT ... SELECT from the seeded
    file, and the month totals from those (as the store would keep them had the expenses been
    written with those dates). Totals only: the summary reads nothing else; a second of SQL
    instead of loading a million expenses again."""
    db = Database(workdir / f"dense-{size}.sqlite3")
    conn = db.connection()
    conn.execute("ATTACH DATABASE ? AS seeded", (str(seeded_db),))
    try:
        with db.write() as c:
            c.execute(
                "INSERT INTO day_totals (user_id, day, currency, category, minor_high, "
                f"minor_low, count) SELECT ?, {FOLDED_DAY} AS folded, currency, category, "
                "SUM(minor_high), SUM(minor_low), SUM(count) FROM seeded.day_totals "
                "WHERE user_id = ? GROUP BY folded, currency, category",
                (DENSE_USER, USER),
            )
            c.execute(
                "INSERT INTO month_totals (user_id, month, currency, category, minor_high, "
                "minor_low, count) SELECT user_id, substr(day, 1, 7), currency, category, "
                "SUM(minor_high), SUM(minor_low), SUM(count) FROM day_totals "
                "WHERE user_id = ? GROUP BY 1, 2, 3, 4",
                (DENSE_USER,),
            )
    finally:
        conn.execute("DETACH DATABASE seeded")
    (held,) = conn.execute(
        "SELECT SUM(count) FROM day_totals WHERE user_id = ?", (DENSE_USER,)
    ).fetchone()
    if held != size:
        raise RuntimeError(f"the dense year holds {held} expenses, not {size}")
    return db


def collect(plan: Plan, workdir: Path) -> dict[int, dict[str, Figure]]:
    """At the sizes of `sizes(plan)`, on the data the scale section measures (loaded once)."""
    results: dict[int, dict[str, Figure]] = {}
    chain = sorted({*plan.scale_sizes, *sizes(plan)})
    for size, db_path in seeded(workdir.parent / "seeded", USER, chain):
        if size not in sizes(plan):
            continue
        print(f"  home_summary: measuring at {size:,} rows", flush=True)
        for open_db, user, cases in (
            (partial(Database, db_path), USER, CASES),
            (partial(dense_year, db_path, size, workdir), DENSE_USER, DENSE_CASES),
        ):
            db = open_db()
            try:
                results.setdefault(size, {}).update(measure(db, user, cases, plan))
            finally:
                db.close()
    return results


def _rows(results: dict[int, dict[str, Figure]]) -> list[list[str]]:
    small = min(results)
    rows = []
    for label, _ in (*CASES, *DENSE_CASES):
        for n in sorted(results):
            f, first = results[n][label], results[small][label]
            verdict = "ok" if f.home <= TARGET * f.plain else "OVER"
            rows.append([
                label, count(n), count(f.rows), ms(f.plain),
                f"{ms(f.home)} ({ratio(f.home, f.plain)}, {verdict})",
                f"{ratio(f.home, first.home)} / {ratio(f.rows, first.rows)}", ms(f.monthly),
            ])  # fmt: skip
    return rows


def run(plan: Plan, workdir: Path) -> Section:
    results = collect(plan, workdir)
    small, big = min(results), max(results)
    section = Section("Summary in the home currency (SQLite)", data={"results": results})
    section.headlines.append(_headline(results, "dense year: a year", "a dense year", small, big))
    section.headlines.append(_headline(results, "a year", "a year of the 10-year data", small, big))
    section.add(
        f"Home currency EUR. Two row sets at each size. **10-year data**: the user and data of "
        "the scale section (10 years, 10 categories, USD/EUR/JPY): a year holds a tenth of "
        "the expenses, so from 100k to 1M its buckets go from half empty to full. **Dense "
        "year**: the same expenses with their dates folded into 2025, so the one year holds "
        "all 100k, then all 1M: like for like, the same period with ten times the expenses "
        "(its day and month totals written by one INSERT ... SELECT from the seeded file, as "
        "the store would keep them; totals only, so no text search on it). "
        "**Without conversion**: the same store pass over the same day totals "
        "(`summary_totals` without factors: one indexed read, one pass over the rows) and the "
        "per-currency figures. **Home**: the service behind `GET /api/analytics/summary`: the "
        "same, plus each (day, currency)'s factor (worked out once per process) and one "
        f"integer multiply per row, one rounding; target ≤ {TARGET:.0f}× the former. With a "
        "text search both sum the matching expenses per day in SQL (the running totals "
        "cannot answer a text search). Medians of the two run by turns. 'Growth' is the home "
        "time, then the day totals read, against the smallest size of the same row. For "
        "reference, the last column is the per-currency summary from the monthly totals (no "
        "filters but the period, no home currency).",
        table(
            [
                "period",
                "expenses",
                "day totals read",
                "without conversion",
                "home (vs without, target)",
                "growth (home / rows read)",
                "monthly totals (ref.)",
            ],
            _rows(results),
        ),  # fmt: skip
        "O(days): the work is one row per (day, currency, category) with spending, at most "
        "365 x 3 x 10 a year whatever the number of expenses: the time follows the rows read, "
        f"not the expenses. {_growth(results, 'dense year: a year', 'dense year', small, big)} "
        f"{_growth(results, 'a year', '10-year data, a year', small, big)} The text search "
        "reads the matching expenses and grows with them, as the list's text search does.",
    )
    return section


def _headline(
    results: dict[int, dict[str, Figure]], label: str, name: str, small: int, big: int
) -> str:
    f, first = results[big][label], results[small][label]
    return (
        f"Home-currency summary of {name} at {count(big)} expenses ({count(f.rows)} day rows): "
        f"{ms(f.home)}, {ratio(f.home, f.plain)} the same summary without conversion "
        f"({ms(f.plain)}; target ≤ {TARGET:.0f}×); {ratio(f.home, first.home)} its time at "
        f"{count(small)} ({count(first.rows)} day rows)."
    )


def _growth(
    results: dict[int, dict[str, Figure]], label: str, name: str, small: int, big: int
) -> str:
    f, first = results[big][label], results[small][label]
    return (
        f"{name.capitalize()}, {count(small)} to {count(big)} expenses ({ratio(big, small)}): "
        f"rows read {ratio(f.rows, first.rows)}, home time {ratio(f.home, first.home)}, time "
        f"without conversion {ratio(f.plain, first.plain)}."
    )
