"""Section `recurring`: the scheduler catching up a month for N series, and the cost of a
budget status, each beside a baseline measured in the same run on the same SQLite file.

- catch-up: N daily series left a month behind (30 occurrences each), run once by
  services.recurring.run_due; baseline: inserting the same number of expenses with the store's
  own add (the floor the scheduler cannot beat, since each occurrence is one insert).
- status: GET /api/budgets/status's service for a user with M expenses in the month and five
  budgets (two currencies, converted at each day's rate); baseline: the month's per-currency
  summary (store.summary), which reads running totals.

Marked for `make bench` only: nothing here runs under `make test` but its smoke test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from ulid import ULID

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.memory import MemoryProfiles, MemoryRates
from expense_tracker.adapters.sqlite.db import Database
from expense_tracker.adapters.sqlite.plans import SqlitePlans
from expense_tracker.adapters.sqlite.store import SqliteExpenseStore
from expense_tracker.domain.expense import Expense
from expense_tracker.domain.money import parse_amount
from expense_tracker.services import budgets as budget_svc
from expense_tracker.services import recurring as svc

from .plan import Plan
from .report import Section, count, ms, ratio, table
from .timing import sample, stopwatch

START = date(2026, 10, 1)
CATEGORIES = ("Food", "Transport", "Housing", "Fun")


def _expense(user: str, day: date, index: int, now: datetime) -> Expense:
    currency = "USD" if index % 3 == 0 else "EUR"
    return Expense(
        id=str(ULID()),
        user_id=user,
        amount=parse_amount(f"{index % 50 + 1}.25", currency),
        currency=currency,
        category=CATEGORIES[index % len(CATEGORIES)],
        description=f"item {index}",
        date=day,
        created_at=now,
        updated_at=now,
    )


def catch_up(series_count: int, workdir: Path) -> tuple[float, float, int]:
    """(scheduler seconds, baseline seconds, occurrences) for a month's catch-up."""
    db = Database(workdir / f"catchup-{series_count}.sqlite3")
    store, plans = SqliteExpenseStore(db), SqlitePlans(db)
    clock = FixedClock(datetime(2026, 9, 30, 6, tzinfo=UTC))
    profiles = MemoryProfiles("EUR")
    raw = {"amount": "9.99", "category": "Fun", "rule": "FREQ=DAILY", "start": START.isoformat()}
    for index in range(series_count):
        svc.create_series(
            plans=plans, store=store, profiles=profiles, clock=clock, user_id=f"u{index % 50}",
            raw=raw,
        )  # fmt: skip
    clock.advance(timedelta(days=30))  # the server was off for a month
    before = sum(1 for _ in db.connection().execute("SELECT 1 FROM expenses"))
    scheduler = stopwatch(lambda: svc.run_due(store=store, plans=plans, clock=clock))
    made = sum(1 for _ in db.connection().execute("SELECT 1 FROM expenses")) - before
    now = clock.now()
    floor = [_expense("floor", START, i, now) for i in range(made)]
    baseline = stopwatch(lambda: [store.add(e) for e in floor])
    db.close()
    return scheduler, baseline, made


def budget_status(rows: int, plan: Plan, workdir: Path) -> tuple[float, float]:
    """Median seconds of a month's budget status and of the month's summary (baseline)."""
    db = Database(workdir / f"status-{rows}.sqlite3")
    store, plans = SqliteExpenseStore(db), SqlitePlans(db)
    clock = FixedClock(datetime(2026, 10, 20, 12, tzinfo=UTC))
    now = clock.now()
    store.add_many([_expense("user", START + timedelta(days=i % 30), i, now) for i in range(rows)])
    profiles = MemoryProfiles("EUR")
    for category in (*CATEGORIES, None):
        raw = {"category": category, "amount": "1000", "currency": "EUR", "period": "month"}
        budget_svc.create_budget(plans=plans, profiles=profiles, user_id="user", raw=raw)
    rates = MemoryRates({START + timedelta(days=d): {"USD": Decimal("1.08")} for d in range(31)})

    def status() -> object:
        return budget_svc.budget_status(
            store=store, plans=plans, rates=rates, clock=clock, user_id="user", month=START
        )

    end = START + timedelta(days=30)
    runs, budget = plan.samples, plan.sample_budget_seconds
    measured = sample(status, runs=runs, budget=budget).median
    baseline = sample(lambda: store.summary("user", START, end), runs=runs, budget=budget).median
    db.close()
    return measured, baseline


def run(plan: Plan, workdir: Path) -> Section:
    section = Section("Recurring expenses and budgets")
    series_sizes = (20, 100) if plan.quick else (100, 1_000)
    status_sizes = (1_000, 5_000) if plan.quick else (1_000, 10_000, 100_000)
    catch_rows = []
    for n in series_sizes:
        scheduler, baseline, made = catch_up(n, workdir)
        section.data[f"catch_up_{n}"] = {"seconds": scheduler, "baseline": baseline, "made": made}
        catch_rows.append(
            (count(n), count(made), ms(scheduler), ms(baseline), ratio(scheduler, baseline))
        )
    status_rows = []
    for rows in status_sizes:
        measured, baseline = budget_status(rows, plan, workdir)
        section.data[f"status_{rows}"] = {"seconds": measured, "baseline": baseline}
        status_rows.append((count(rows), ms(measured), ms(baseline), ratio(measured, baseline)))
    section.add(
        "A month's catch-up (daily series, 30 occurrences each) on SQLite, against inserting "
        "as many expenses one by one with the store's own add:",
        table(["series", "occurrences", "run_due", "baseline: adds", "ratio"], catch_rows),
        "Budget status (five budgets, EUR and USD converted at each day's rate) for one "
        "month, against the month's per-currency summary (running totals):",
        table(["expenses in the month", "status", "baseline: summary", "ratio"], status_rows),
        "The status asks the store once per period for per-day sums (SQLite groups the "
        "month's rows off the date index; DynamoDB reads its daily running totals), whatever "
        "the number of budgets; the summary reads precomputed monthly totals, hence the gap.",
    )
    last = series_sizes[-1]
    section.headlines.append(
        f"recurring catch-up of {last} series for a month: "
        f"{ms(section.data[f'catch_up_{last}']['seconds'])}"
    )
    return section


__all__ = ["run"]
