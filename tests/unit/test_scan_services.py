"""The scan flow on the in-memory fakes: upload, start, read, and the expense it becomes."""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from PIL import Image

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.local.files import LocalReceiptStore
from expense_tracker.adapters.memory import (
    MemoryExpenseStore,
    MemoryJobs,
    MemoryProfiles,
    MemoryReceiptStore,
)
from expense_tracker.adapters.memory_reader import MemoryReceiptReader
from expense_tracker.domain.errors import Conflict, Invalid, NotFound
from expense_tracker.domain.expense import Expense, ExpenseFilter, RawExpense
from expense_tracker.domain.receipts import receipt_key
from expense_tracker.domain.scans import SCAN_RETENTION, scan_image_key, scan_upload_key
from expense_tracker.ports.jobs import Job
from expense_tracker.services import scans as svc
from expense_tracker.services.scan_images import upright_jpeg
from tests.support import receipt_files as files

NOW = datetime(2026, 11, 24, 19, 0, 0, tzinfo=UTC)
USER, OTHER = "user-1", "user-2"
JPEG = "image/jpeg"


@dataclass
class World:
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    store: MemoryExpenseStore = field(default_factory=MemoryExpenseStore)
    receipts: MemoryReceiptStore = field(default_factory=MemoryReceiptStore)
    profiles: MemoryProfiles = field(default_factory=lambda: MemoryProfiles("EUR"))
    reader: MemoryReceiptReader = field(default_factory=MemoryReceiptReader)
    jobs: MemoryJobs = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = MemoryJobs(self.clock)
        handler = partial(
            svc.run_scan, receipts=self.receipts, reader=self.reader, profiles=self.profiles
        )
        self.jobs.bind({"scan": handler})

    def create(self, user_id: str = USER, content_type: str = JPEG) -> Job:
        job, ticket = svc.create_scan(
            jobs=self.jobs,
            receipts=self.receipts,
            clock=self.clock,
            user_id=user_id,
            content_type=content_type,
            size=1000,
        )
        assert ticket.fields["key"] == scan_upload_key(user_id, job.id)
        return job

    def upload(self, job: Job, data: bytes, content_type: str = JPEG) -> None:
        self.receipts.write(scan_upload_key(job.user_id, job.id), data, content_type)

    def start(self, job: Job, user_id: str = USER) -> Job:
        return svc.start_scan(
            jobs=self.jobs, receipts=self.receipts, user_id=user_id, scan_id=job.id
        )

    def finished(self) -> Job:
        job = self.create()
        self.upload(job, files.image_bytes("JPEG", (60, 40)))
        return self.start(job)

    def add(self, scan_id: str, user_id: str = USER) -> Expense:
        raw = RawExpense("6.25", "EUR", "Food", "Sample Market", "2026-11-24")
        return svc.add_scanned_expense(
            store=self.store,
            receipts=self.receipts,
            jobs=self.jobs,
            clock=self.clock,
            profiles=self.profiles,
            user_id=user_id,
            scan_id=scan_id,
            raw=raw,
        )


def test_a_started_scan_reports_the_fields_and_their_confidence() -> None:
    world = World()
    scan = svc.public_scan(world.finished())
    assert scan["status"] == "done"
    assert scan["fields"] == {
        "merchant": "SAMPLE MARKET",
        "date": "2026-11-04",
        "total": "6.25",
        "currency": "EUR",
        "line_items": [
            {"description": "Coffee", "amount": "3.50"},
            {"description": "Bagel", "amount": "2.75"},
        ],
    }
    assert set(scan["confidence"]) == {"merchant", "date", "total", "currency"}
    assert all(0 <= value <= 1 for value in scan["confidence"].values())
    assert scan["confidence"]["date"] < 0.8 <= scan["confidence"]["total"]  # 11/04: a guess


def test_fields_are_null_until_the_scan_is_done() -> None:
    world = World()
    scan = svc.public_scan(world.create())
    assert (scan["status"], scan["fields"], scan["confidence"]) == ("waiting_upload", None, None)


def test_starting_without_an_upload_is_a_conflict() -> None:
    world = World()
    with pytest.raises(Conflict):
        world.start(world.create())


def test_bytes_that_are_not_the_declared_type_are_refused_and_deleted() -> None:
    world = World()
    job = world.create()
    world.upload(job, files.image_bytes("PNG"))
    with pytest.raises(Invalid):
        world.start(job)
    assert world.receipts.inspect(scan_upload_key(USER, job.id)) is None
    assert world.reader.reads == 0


def test_a_pdf_cannot_be_scanned() -> None:
    with pytest.raises(Invalid) as caught:
        World().create(content_type="application/pdf")
    assert caught.value.errors[0].field == "content_type"


def test_the_kept_photo_has_no_location() -> None:
    world = World()
    job = world.create()
    world.upload(job, files.image_with_gps("JPEG"))
    world.start(job)
    kept = world.receipts.read(scan_image_key(USER, job.id))
    assert files.GPS_IFD not in files.exif_of(kept)


def test_starting_twice_reads_once() -> None:
    world = World()
    job = world.finished()
    again = world.start(job)
    assert (again.status, world.reader.reads) == ("done", 1)


def test_another_users_scan_is_not_found() -> None:
    world = World()
    job = world.finished()
    with pytest.raises(NotFound):
        svc.get_scan(jobs=world.jobs, user_id=OTHER, scan_id=job.id)
    with pytest.raises(NotFound):
        world.add(job.id, user_id=OTHER)
    with pytest.raises(NotFound):
        world.start(job, user_id=OTHER)


def test_the_expense_gets_the_scanned_photo_as_its_receipt() -> None:
    world = World()
    job = world.finished()
    photo = world.receipts.read(scan_image_key(USER, job.id))
    expense = world.add(job.id)
    assert expense.receipt is not None
    assert (expense.version, expense.amount, expense.date) == (
        1,
        Decimal("6.25"),
        date(2026, 11, 24),
    )
    assert world.receipts.read(expense.receipt.key) == photo
    assert world.receipts.inspect(scan_image_key(USER, job.id)) is None
    assert world.store.get(USER, expense.id).receipt == expense.receipt


def test_a_scan_used_twice_is_a_conflict_and_adds_nothing() -> None:
    world = World()
    job = world.finished()
    world.add(job.id)
    with pytest.raises(Conflict):
        world.add(job.id)
    assert len(list(world.store.iterate(USER, ExpenseFilter()))) == 1


def test_a_scan_not_yet_finished_cannot_make_an_expense() -> None:
    world = World()
    job = world.create()
    with pytest.raises(Conflict):
        world.add(job.id)


def test_a_refused_expense_keeps_the_scan_for_another_try() -> None:
    world = World()
    job = world.finished()
    bad = RawExpense("-1", "EUR", "Food", "", None)
    with pytest.raises(Invalid):
        svc.add_scanned_expense(
            store=world.store,
            receipts=world.receipts,
            jobs=world.jobs,
            clock=world.clock,
            profiles=world.profiles,
            user_id=USER,
            scan_id=job.id,
            raw=bad,
        )
    assert world.receipts.inspect(scan_image_key(USER, job.id)) is not None
    assert [k for k in world.receipts.objects if "/receipts/" in k] == []
    assert world.add(job.id).receipt is not None


def test_photos_are_turned_upright_by_their_exif_orientation() -> None:
    exif = Image.Exif()
    exif[files.ORIENTATION] = 6  # the camera was turned: rotate 90 degrees to view
    out = io.BytesIO()
    Image.new("RGB", (80, 40), "white").save(out, "JPEG", exif=exif)
    with Image.open(io.BytesIO(upright_jpeg(out.getvalue()))) as upright:
        assert upright.size == (40, 80)


# -- unused scan photos are removed a day later (the local background sweep) --------------


def test_the_sweep_removes_scan_photos_older_than_a_day_and_nothing_else(tmp_path: Path) -> None:
    clock = FixedClock(datetime.now(UTC))
    files_store = LocalReceiptStore(tmp_path, b"s" * 32, "", clock=clock)
    world = World(clock=clock, receipts=files_store)  # type: ignore[arg-type]
    old, fresh = world.finished(), world.finished()
    abandoned = world.create()
    world.upload(abandoned, b"never started")
    receipt = receipt_key(USER, "E1", "R1")
    world.receipts.write(receipt, b"kept", "image/png")
    day_and_a_bit = (clock.now() - SCAN_RETENTION - timedelta(minutes=1)).timestamp()
    for key in (scan_image_key(USER, old.id), scan_upload_key(USER, abandoned.id), receipt):
        os.utime(tmp_path / "objects" / key, (day_and_a_bit, day_and_a_bit))

    assert svc.expire_scan_photos(inventory=files_store, clock=clock) == 2

    assert world.receipts.inspect(scan_image_key(USER, old.id)) is None
    assert world.receipts.inspect(scan_upload_key(USER, abandoned.id)) is None
    assert world.receipts.inspect(scan_image_key(USER, fresh.id)) is not None
    assert world.receipts.read(receipt) == b"kept"  # not a scan: garbage collection's business
    with pytest.raises(Conflict, match="scan the receipt again"):
        world.add(old.id)
    assert world.add(fresh.id).receipt is not None


def test_a_used_scan_says_it_was_used_not_that_it_expired() -> None:
    world = World()
    job = world.finished()
    world.add(job.id)
    with pytest.raises(Conflict, match="already used"):
        world.add(job.id)


def test_the_local_server_sweeps_scan_photos_in_the_background(tmp_path: Path) -> None:
    from expense_tracker.adapters.local.background_owner import SingleOwner
    from expense_tracker.adapters.local.scheduler import DailyTrigger
    from expense_tracker.adapters.local.wiring import build_local_container
    from expense_tracker.config import Settings

    container = build_local_container(Settings(data_dir=tmp_path))
    try:
        (owner,) = [b for b in container.background if isinstance(b, SingleOwner)]
        (sweep,) = [
            b for b in owner.tasks if isinstance(b, DailyTrigger) and b.name == "scan-photo-sweep"
        ]
        photo = scan_image_key(USER, "S1")
        container.receipts.write(photo, b"old photo", JPEG)
        path = next((tmp_path / "receipts").rglob("image"))
        os.utime(path, (0, 0))
        sweep.start()  # runs at once (the catch-up), then hourly
        deadline = time.monotonic() + 30
        while container.receipts.inspect(photo) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        sweep.stop()
        assert container.receipts.inspect(photo) is None
    finally:
        container.close()
