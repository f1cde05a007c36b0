"""Export jobs and the evidence pack on the memory adapters: what goes in the pack, the
rates used, retries, progress, expiry; and verify-pack refusing broken packs."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.memory import (
    MemoryExpenseStore,
    MemoryJobs,
    MemoryProfiles,
    MemoryRates,
    MemoryReceiptStore,
)
from expense_tracker.adapters.memory_exports import MemoryExportFiles
from expense_tracker.domain.errors import Invalid, NotFound
from expense_tracker.domain.expense import Expense, ExpenseFilter, Receipt
from expense_tracker.domain.export_rows import EXPORT_PAGE
from expense_tracker.entrypoints.cli import app
from expense_tracker.ports.exports import EXPORT_RETENTION
from expense_tracker.ports.jobs import Job, JobData
from expense_tracker.services import exports as svc
from expense_tracker.services.pack_check import verify_pack
from expense_tracker.services.transfer import export_csv
from tests.contract.factories import NOW, make_expense

PNG = b"\x89PNG\r\n\x1a\n" + b"receipt bytes" * 10


@dataclass
class World:
    store: MemoryExpenseStore
    receipts: MemoryReceiptStore
    files: MemoryExportFiles
    jobs: MemoryJobs
    clock: FixedClock
    deps: svc.ExportDeps

    def export(self, fmt: str, filters: ExpenseFilter | None = None, user: str = "alice") -> Job:
        return svc.request_export(
            jobs=self.jobs,
            files=self.files,
            clock=self.clock,
            user_id=user,
            fmt=fmt,
            filters=filters or ExpenseFilter(),
        )

    def file(self, job: Job) -> bytes:
        return self.files.files[svc.export_key(job)][0]


def world(rates: MemoryRates | None = None) -> World:
    clock = FixedClock(NOW)
    store, receipts, files = MemoryExpenseStore(), MemoryReceiptStore(), MemoryExportFiles(clock)
    profiles = MemoryProfiles("EUR")
    deps = svc.ExportDeps(store, receipts, files, rates or MemoryRates({}), profiles, clock)
    jobs = MemoryJobs(clock)
    jobs.bind({"export": lambda job, reporter: svc.run_export(job, reporter, deps=deps)})
    return World(store, receipts, files, jobs, clock, deps)


def with_receipt(w: World, user: str, day: date, content: bytes = PNG) -> str:
    expense = make_expense(user, day=day)
    key = f"users/{user}/receipts/{expense.id}/r1"
    w.receipts.write(key, content, "image/png")
    receipt = Receipt("image/png", len(content), NOW, key)
    w.store.add(make_expense(user, day=day, expense_id=expense.id, receipt=receipt))
    return expense.id


def pack_of(data: bytes) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    pack = zipfile.ZipFile(io.BytesIO(data))
    return pack, json.loads(pack.read("manifest.json"))


def test_pack_holds_receipts_rates_period_and_home_currency() -> None:
    rates = MemoryRates({date(2026, 3, 2): {"USD": Decimal("1.0523")}})
    w = world(rates)
    receipt_id = with_receipt(w, "alice", date(2026, 3, 4))
    w.store.add(make_expense("alice", currency="USD", day=date(2026, 3, 5)))
    w.store.add(make_expense("alice", currency="GBP", day=date(2026, 3, 6)))  # no rate known
    w.store.add(make_expense("bob", day=date(2026, 3, 5)))
    job = w.export("zip")
    assert job.status == "done" and job.progress["rows"] == 3
    pack, manifest = pack_of(w.file(job))
    assert pack.read(f"receipts/{receipt_id}.png") == PNG
    assert pack.read("rates.csv").decode().splitlines() == [
        "date,currency,rate_date,units_per_eur",
        "2026-03-04,EUR,2026-03-02,1",
        "2026-03-05,USD,2026-03-02,1.0523",
    ]
    assert manifest["period"] == {"from": "2026-03-04", "to": "2026-03-06"}
    assert manifest["home_currency"] == "EUR"
    assert manifest["exported_at"] == "2026-11-24T19:00:00Z"
    assert job.progress["bytes"] == len(w.file(job))


def test_pack_period_is_the_filters_when_given_and_rows_are_filtered() -> None:
    w = world()
    w.store.add(make_expense("alice", category="Food", day=date(2026, 1, 10)))
    w.store.add(make_expense("alice", category="Rent", day=date(2026, 1, 11)))
    filters = ExpenseFilter(date(2026, 1, 1), date(2026, 1, 31), "Food", None)
    pack, manifest = pack_of(w.file(w.export("zip", filters)))
    assert manifest["period"] == {"from": "2026-01-01", "to": "2026-01-31"}
    assert manifest["filters"]["category"] == "Food" and manifest["expenses"] == 1
    assert len(json.loads(pack.read("expenses.json"))) == 1


def test_a_receipt_the_store_lost_is_named_and_the_pack_does_not_verify(tmp_path: Path) -> None:
    w = world()
    lost = with_receipt(w, "alice", date(2026, 2, 1))
    w.receipts.objects.clear()
    job = w.export("zip")
    _, manifest = pack_of(w.file(job))
    assert manifest["missing_receipts"] == [lost]
    path = tmp_path / "pack.zip"
    path.write_bytes(w.file(job))
    report = verify_pack(path)
    assert not report.ok
    assert any(lost in problem for problem in report.problems)


def test_running_an_export_again_replaces_the_file_and_adds_nothing() -> None:
    w = world()
    w.store.add(make_expense("alice"))
    job = w.export("csv")
    first = w.file(job)
    reports: list[JobData] = []

    class Reporter:
        def report(self, progress: JobData) -> None:
            reports.append(progress)

        def out_of_time(self) -> bool:
            return False

    again = svc.run_export(job, Reporter(), deps=w.deps)  # a retry after a crash
    assert again == {"rows": 1, "bytes": len(first)}
    assert w.file(job) == first and len(w.files.files) == 1


def test_progress_is_reported_while_rows_are_written() -> None:
    w = world()
    total = 2 * svc.REPORT_EVERY_ROWS + 1
    w.store.add_many([make_expense("alice") for _ in range(total)])
    reports: list[JobData] = []

    class Reporter:
        def report(self, progress: JobData) -> None:
            reports.append(progress)

        def out_of_time(self) -> bool:
            return False

    job = w.export("json")
    result = svc.run_export(job, Reporter(), deps=w.deps)
    counts = [int(str(r["rows"])) for r in reports]
    assert len(counts) == 2 and counts == sorted(counts)  # about every REPORT_EVERY_ROWS
    assert all(n < total for n in counts)  # reported on the way, before the end
    assert result["rows"] == total


def test_a_finished_export_expires_after_the_retention() -> None:
    w = world()
    job = w.export("csv")
    view = svc.export_status(
        jobs=w.jobs, files=w.files, clock=w.clock, user_id="alice", export_id=job.id
    )
    assert view.status == "done" and view.download is not None
    w.clock.advance(EXPORT_RETENTION + timedelta(seconds=1))
    w.export("csv")  # a new export sweeps the old files
    assert svc.export_key(job) not in w.files.files
    view = svc.export_status(
        jobs=w.jobs, files=w.files, clock=w.clock, user_id="alice", export_id=job.id
    )
    assert view.status == "expired" and view.download is None


def test_unknown_format_and_reversed_range_are_refused_before_a_job_exists() -> None:
    w = world()
    with pytest.raises(Invalid):
        w.export("xlsx")
    with pytest.raises(Invalid):
        w.export("csv", ExpenseFilter(date(2026, 2, 1), date(2026, 1, 1)))
    assert w.jobs.list("alice", "export") == []


def test_another_users_export_is_not_found() -> None:
    w = world()
    job = w.export("csv")
    with pytest.raises(NotFound):
        svc.export_status(
            jobs=w.jobs, files=w.files, clock=w.clock, user_id="bob", export_id=job.id
        )


# --- verify-pack ----------------------------------------------------------------------------


def good_pack(tmp_path: Path) -> tuple[Path, bytes]:
    w = world()
    with_receipt(w, "alice", date(2026, 3, 4))
    w.store.add(make_expense("alice"))
    data = w.file(w.export("zip"))
    path = tmp_path / "pack.zip"
    path.write_bytes(data)
    return path, data


def rewrite(source: bytes, target: Path, change: dict[str, bytes | None]) -> None:
    """A copy of the pack with entries replaced (bytes) or left out (None)."""
    with zipfile.ZipFile(io.BytesIO(source)) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename not in change:
                new.writestr(info, old.read(info))
            elif (replacement := change[info.filename]) is not None:
                new.writestr(info.filename, replacement)
        for name, content in change.items():
            if name not in old.namelist() and content is not None:
                new.writestr(name, content)


def test_verify_pack_cli_passes_a_good_pack(tmp_path: Path) -> None:
    path, _ = good_pack(tmp_path)
    result = CliRunner().invoke(app, ["verify-pack", str(path)])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output and "1 receipts present" in result.output


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"expenses.csv": b"id,date\r\n"}, "expenses.csv: 9 bytes"),
        ({"rates.csv": None}, "rates.csv: listed in the manifest but not in the pack"),
        ({"extra.txt": b"hello"}, "extra.txt: in the pack but not in the manifest"),
        ({"manifest.json": b"{not json"}, "manifest.json: unreadable"),
    ],
)
def test_verify_pack_refuses_a_tampered_pack(
    tmp_path: Path, change: dict[str, bytes | None], complaint: str
) -> None:
    _, data = good_pack(tmp_path)
    broken = tmp_path / "broken.zip"
    rewrite(data, broken, change)
    result = CliRunner().invoke(app, ["verify-pack", str(broken)])
    assert result.exit_code == 1
    assert complaint in result.output


def test_verify_pack_finds_a_receipt_that_was_removed_with_its_manifest_line(
    tmp_path: Path,
) -> None:
    _, data = good_pack(tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        receipt = next(n for n in pack.namelist() if n.startswith("receipts/"))
        manifest = json.loads(pack.read("manifest.json"))
    manifest["files"] = [f for f in manifest["files"] if f["path"] != receipt]
    broken = tmp_path / "broken.zip"
    rewrite(data, broken, {receipt: None, "manifest.json": json.dumps(manifest).encode()})
    report = verify_pack(broken)
    assert any("its receipt is not in the pack" in p for p in report.problems)


def test_verify_pack_refuses_flipped_bytes_and_non_zips(tmp_path: Path) -> None:
    path, data = good_pack(tmp_path)
    corrupted = bytearray(data)
    at = data.index(b"receipt bytes")  # inside a stored (uncompressed) receipt
    corrupted[at] ^= 0xFF
    path.write_bytes(bytes(corrupted))
    assert not verify_pack(path).ok
    path.write_bytes(b"not a zip at all")
    report = verify_pack(path)
    assert report.problems and "not a readable zip" in report.problems[0]


def test_export_time_is_the_jobs_creation_time() -> None:
    w = world()
    w.clock.moment = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)
    _, manifest = pack_of(w.file(w.export("zip")))
    assert manifest["exported_at"] == "2026-05-01T08:30:00Z"


def test_the_v1_export_sends_a_block_per_page_without_reading_every_row() -> None:
    """GET /api/expenses/export streams: the header, then one block per page of the store,
    each sent before the next page is read (the route sends exactly these blocks)."""
    pulled = {"rows": 0}
    rows = [make_expense("alice", description="x" * 200) for _ in range(3 * EXPORT_PAGE)]

    class CountingStore(MemoryExpenseStore):
        def iterate(self, user_id: str, filters: ExpenseFilter) -> Iterator[Expense]:
            for expense in rows:
                pulled["rows"] += 1
                yield expense

    blocks = export_csv(store=CountingStore(), user_id="alice", filters=ExpenseFilter())
    assert next(blocks).startswith(b"id,date,amount")
    first = next(blocks)
    assert first.count(b"\r\n") == EXPORT_PAGE
    assert pulled["rows"] == EXPORT_PAGE  # one page read, not the whole result
    rest = list(blocks)
    assert [b.count(b"\r\n") for b in rest] == [EXPORT_PAGE, EXPORT_PAGE]
