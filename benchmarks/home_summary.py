"""The summary in the home currency (each day converted at its own ECB rate, from the SQLite
per-day totals) beside the per-currency summary (monthly totals) as the baseline, measured on
the same database in the same run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from expense_tracker.adapters.common.ecb_rates import EcbRates
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore, SqliteProfiles
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.domain.profile import ProfileChanges
from expense_tracker.services.summary import summarize_expenses

from .dataset import bulk_load
from .plan import Plan
from .report import Section, count, ms, ratio, table
from .timing import sample, stopwatch

USER = "bench-user"
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
# (label, baseline period, the home summary's filters)
CASES: tuple[tuple[str, tuple[date | None, date | None], ExpenseFilter], ...] = (
    ("a year", YEAR, ExpenseFilter(date_from=YEAR[0], date_to=YEAR[1])),
    ("all time (10 years)", (None, None), ExpenseFilter()),
    ("a year, category", YEAR, ExpenseFilter(date_from=YEAR[0], date_to=YEAR[1], category="Food")),
    ("a year, text search", YEAR, ExpenseFilter(date_from=YEAR[0], date_to=YEAR[1], text="taxi")),
)


def sizes(plan: Plan) -> tuple[int, ...]:
    return (1_000, 10_000) if plan.quick else (1_000, 100_000, 1_000_000)


def measure(
    store: SqliteExpenseStore, profiles: SqliteProfiles, rates: EcbRates, plan: Plan
) -> dict[str, tuple[float, float]]:
    """{case: (per-currency summary seconds, home summary seconds)}, medians."""
    figures = {}
    for label, period, filters in CASES:
        home: Callable[[], object] = partial(
            summarize_expenses,
            store=store,
            rates=rates,
            profiles=profiles,
            user_id=USER,
            filters=filters,
        )
        home()  # warm: the rates file is parsed on first use
        runs, budget = plan.samples, plan.sample_budget_seconds
        baseline = partial(store.summary, USER, period[0], period[1])
        base = sample(baseline, runs=runs, budget=budget).median
        figures[label] = (base, sample(home, runs=runs, budget=budget).median)
    return figures


def collect(plan: Plan, workdir: Path) -> dict[int, dict[str, tuple[float, float]]]:
    db = Database(workdir / "home.sqlite3")
    store, profiles, rates = SqliteExpenseStore(db), SqliteProfiles(db, "USD"), EcbRates()
    profiles.update_profile(USER, ProfileChanges(home_currency="EUR"))
    results, loaded = {}, 0
    try:
        for size in sizes(plan):
            stopwatch(partial(bulk_load, store, USER, size - loaded, seed=size))
            loaded = size
            print(f"  home_summary: {size:,} rows loaded, measuring", flush=True)
            results[size] = measure(store, profiles, rates, plan)
    finally:
        db.close()
    return results


def _rows(results: dict[int, dict[str, tuple[float, float]]]) -> list[list[str]]:
    small = min(results)
    rows = []
    for label, _, _ in CASES:
        for n in sorted(results):
            base, home = results[n][label]
            grown = ratio(home, results[small][label][1])
            rows.append([label, count(n), ms(base), f"{ms(home)} ({ratio(home, base)})", grown])
    return rows


def run(plan: Plan, workdir: Path) -> Section:
    results = collect(plan, workdir)
    big = max(results)
    base, home = results[big]["a year"]
    section = Section("Summary in the home currency (SQLite)", data={"results": results})
    section.headlines.append(
        f"Home-currency summary of a year at {count(big)} expenses: {ms(home)}, "
        f"{ratio(home, base)} the per-currency summary ({ms(base)})."
    )
    section.add(
        "The same user and data as the scale section (10 years, 10 categories, USD/EUR/JPY), "
        "home currency EUR. Baseline: the per-currency summary of the same period from the "
        "monthly totals (no filters: it has none). Home: the service behind "
        "`GET /api/analytics/summary`, which reads the per-day totals once and converts each "
        "day at its ECB rate (exact decimals, one rounding); with a text search it sums the "
        "matching expenses per day in SQL. Medians; in brackets the ratio to the baseline, and "
        "in the last column the home figure against itself at the smallest size (flat: O(days)).",
        table(
            ["period", "expenses", "per-currency", "home (vs baseline)", "home growth"],
            _rows(results),
        ),  # fmt: skip
        "A year is at most 365 days x 10 categories x 3 currencies of per-day totals whatever "
        "the number of expenses, so it stays flat once the days are filled; the text search "
        "reads the matching expenses and grows with them (as the list's text search does).",
    )
    return section
