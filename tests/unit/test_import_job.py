"""The import service and job on the memory adapters: duplicates, rules, all-or-nothing,
and a job killed mid-run that is run again (no loss, no duplicate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.memory import (
    MemoryExpenseStore,
    MemoryJobs,
    MemoryProfiles,
    MemoryReceiptStore,
)
from expense_tracker.adapters.memory_imports import MemoryImportLedger, MemoryRuleStore
from expense_tracker.domain.errors import Conflict, Invalid, NotFound
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.domain.imports import IMPORT_KIND, UNCATEGORISED, Rule
from expense_tracker.ports.imports import BatchResult, KeyedExpense
from expense_tracker.ports.jobs import Job, JobData
from expense_tracker.services import import_job
from expense_tracker.services import imports as svc
from expense_tracker.services.import_job import ImportDeps, run_import
from expense_tracker.services.jobs import MAX_ATTEMPTS

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
USER = "u1"
DATA = Path(__file__).parent.parent / "data" / "statements"


@dataclass
class World:
    store: MemoryExpenseStore = field(default_factory=MemoryExpenseStore)
    receipts: MemoryReceiptStore = field(default_factory=MemoryReceiptStore)
    rules: MemoryRuleStore = field(default_factory=MemoryRuleStore)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    jobs: MemoryJobs = field(init=False)
    ledger: MemoryImportLedger = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = MemoryImportLedger(self.store)
        self.jobs = MemoryJobs(self.clock)
        self.jobs.bind(
            {IMPORT_KIND: lambda job, reporter: run_import(job, reporter, deps=self.deps())}
        )

    def deps(self) -> ImportDeps:
        return ImportDeps(self.ledger, self.rules, self.receipts, MemoryProfiles("EUR"), self.clock)

    def run(self, fmt: str, data: bytes, **options: object) -> dict[str, Any]:
        job, _ = svc.create_import(
            jobs=self.jobs,
            receipts=self.receipts,
            clock=self.clock,
            user_id=USER,
            fmt=fmt,
            size=len(data),
            **options,  # type: ignore[arg-type]
        )
        self.receipts.write(svc.upload_key(USER, job.id), data, "text/plain")
        done = svc.start_import(jobs=self.jobs, receipts=self.receipts, user_id=USER, job_id=job.id)
        return svc.import_view(done)

    def expenses(self) -> list[tuple[str, str, str]]:
        found = self.store.iterate(USER, ExpenseFilter())
        return sorted((e.description, e.amount_text, e.category) for e in found)


@pytest.fixture
def world() -> World:
    return World()


def csv_of(*lines: str) -> bytes:
    return ("date,amount,currency,category,description\n" + "\n".join(lines) + "\n").encode()


def test_the_same_qif_twice_imports_once_even_with_equal_rows(world: World) -> None:
    data = b"!Type:Bank\n" + b"D11/03/2026\nT-3.50\nPCoffee\n^\n" * 2
    first, second = world.run("qif", data), world.run("qif", data)
    assert (first["imported"], first["duplicates"]) == (2, 0)  # two coffees that day
    assert (second["imported"], second["duplicates"]) == (0, 2)
    assert len(world.expenses()) == 2


def test_bank_ids_make_duplicates_across_files(world: World) -> None:
    world.run("ofx", (DATA / "ofx_v1_sgml.ofx").read_bytes())
    again = world.run("ofx", (DATA / "ofx_v1_sgml.ofx").read_bytes())
    assert (again["status"], again["duplicates"], again["skipped"]) == ("done", 2, 2)


def test_rules_apply_in_order_case_insensitively_else_uncategorised(world: World) -> None:
    world.rules.add(Rule("01A", USER, "tesco", "Groceries"))
    world.rules.add(Rule("01B", USER, "STORES", "Shopping"))
    world.run("ofx", (DATA / "ofx_v1_sgml.ofx").read_bytes())
    assert [e[2] for e in world.expenses()] == [UNCATEGORISED, "Groceries"]


def test_a_category_in_the_file_wins_over_the_rules(world: World) -> None:
    world.rules.add(Rule("01A", USER, "lunch", "Groceries"))
    world.run("csv", csv_of("2026-11-01,5.00,EUR,Food,Lunch"))
    assert world.expenses() == [("Lunch", "5.00", "Food")]


def test_all_or_nothing_stores_nothing_and_lists_the_errors(world: World) -> None:
    view = world.run("csv", csv_of("2026-11-01,5.00,EUR,Food,ok", "2026-11-02,5.001,EUR,Food,x"))
    assert view["status"] == "failed" and view["imported"] == 0
    assert view["errors"] == [{"line": 3, "message": "amount: EUR allows at most 2 decimal places"}]
    assert world.expenses() == []


def test_only_the_first_hundred_errors_are_listed(world: World) -> None:
    view = world.run("csv", csv_of(*["2026-11-01,x,EUR,Food,bad"] * 150), partial=True)
    assert (view["error_count"], len(view["errors"])) == (150, 100)


def test_a_wrong_format_fails_with_a_clear_error_and_removes_the_upload(world: World) -> None:
    view = world.run("ofx", csv_of("2026-11-01,5.00,EUR,Food,x"))
    assert view["status"] == "failed"
    assert view["errors"][0]["message"].startswith("the file looks like CSV, not OFX")
    assert world.receipts.objects == {}


def test_starting_without_an_upload_is_a_conflict(world: World) -> None:
    job, _ = svc.create_import(
        jobs=world.jobs, receipts=world.receipts, clock=world.clock, user_id=USER, fmt="csv", size=9
    )
    with pytest.raises(Conflict):
        svc.start_import(jobs=world.jobs, receipts=world.receipts, user_id=USER, job_id=job.id)
    with pytest.raises(NotFound):
        svc.get_import(jobs=world.jobs, user_id="someone else", job_id=job.id)


def test_requests_over_50_mib_or_of_unknown_formats_are_invalid(world: World) -> None:
    for fmt, size in (("csv", 50 * 2**20 + 1), ("xlsx", 10)):
        with pytest.raises(Invalid):
            svc.create_import(
                jobs=world.jobs,
                receipts=world.receipts,
                clock=world.clock,
                user_id=USER,
                fmt=fmt,
                size=size,
            )


class CrashingLedger:
    """Stores the first batch, then dies as a killed worker would."""

    batch_rows = 2000

    def __init__(self, inner: MemoryImportLedger) -> None:
        self.inner, self.calls = inner, 0

    def add_batch(self, user_id: str, job_id: str, rows: list[KeyedExpense]) -> BatchResult:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("killed")
        return self.inner.add_batch(user_id, job_id, rows)

    def discard(self, user_id: str, job_id: str) -> int:
        return self.inner.discard(user_id, job_id)


class Progress:
    def __init__(self) -> None:
        self.reports: list[JobData] = []

    def report(self, progress: JobData) -> None:
        self.reports.append(progress)

    def out_of_time(self) -> bool:
        return False


def test_a_job_killed_mid_run_and_run_again_loses_and_doubles_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_job, "CHUNK_ROWS", 10)
    monkeypatch.setattr(import_job, "REPORT_SECONDS", 0.0)
    data = csv_of(*[f"2026-11-01,{i}.00,EUR,Food,row {i}" for i in range(1, 36)])
    job, _ = svc.create_import(
        jobs=world.jobs,
        receipts=world.receipts,
        clock=world.clock,
        user_id=USER,
        fmt="csv",
        size=len(data),
    )
    world.receipts.write(svc.upload_key(USER, job.id), data, "text/csv")
    crashing = CrashingLedger(world.ledger)
    deps = ImportDeps(crashing, world.rules, world.receipts, MemoryProfiles("EUR"), world.clock)
    running = Job(**{**job.__dict__, "status": "running", "attempts": 1})
    with pytest.raises(RuntimeError):
        run_import(running, Progress(), deps=deps)
    assert len(world.expenses()) == 10  # the first batch landed
    progress = Progress()
    result = run_import(Job(**{**running.__dict__, "attempts": 2}), progress, deps=deps)
    assert isinstance(result, dict)
    assert (result["imported"], result["duplicates"], result["processed"]) == (35, 0, 35)
    assert len(world.expenses()) == 35
    assert [p["processed"] for p in progress.reports] == [10, 20, 30, 35]


def test_the_last_attempts_crash_leaves_nothing_of_the_job_behind(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_job, "CHUNK_ROWS", 10)
    data = csv_of(*[f"2026-11-01,{i}.00,EUR,Food,row {i}" for i in range(1, 36)])
    job, _ = svc.create_import(
        jobs=world.jobs,
        receipts=world.receipts,
        clock=world.clock,
        user_id=USER,
        fmt="csv",
        size=len(data),
    )
    world.receipts.write(svc.upload_key(USER, job.id), data, "text/csv")
    deps = ImportDeps(
        CrashingLedger(world.ledger),
        world.rules,
        world.receipts,
        MemoryProfiles("EUR"),
        world.clock,
    )
    last = Job(**{**job.__dict__, "status": "running", "attempts": MAX_ATTEMPTS})
    with pytest.raises(RuntimeError):
        run_import(last, Progress(), deps=deps)
    assert world.expenses() == []  # the first chunk was taken back out
