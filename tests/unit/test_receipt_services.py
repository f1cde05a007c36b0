"""Receipt use cases on the in-memory fakes (and, for garbage collection, on local files)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.local.files import LocalReceiptStore
from expense_tracker.adapters.memory import MemoryExpenseStore, MemoryReceiptStore
from expense_tracker.domain.errors import Conflict, Invalid, NotFound
from expense_tracker.domain.expense import Expense
from expense_tracker.domain.receipts import pending_key
from expense_tracker.entrypoints.cli import app
from expense_tracker.services import receipts as svc
from expense_tracker.services.expenses import delete_expense
from tests.support import receipt_files as files

NOW = datetime(2026, 11, 24, 19, 0, 0, tzinfo=UTC)
USER, OTHER = "user-1", "user-2"


@dataclass
class World:
    store: MemoryExpenseStore = field(default_factory=MemoryExpenseStore)
    receipts: MemoryReceiptStore = field(default_factory=MemoryReceiptStore)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))

    def expense(self, user_id: str = USER, expense_id: str = "E1") -> Expense:
        expense = Expense(
            id=expense_id,
            user_id=user_id,
            amount=Decimal("12.50"),
            currency="EUR",
            category="Food",
            description="",
            date=NOW.date(),
            created_at=NOW,
            updated_at=NOW,
        )
        return self.store.add(expense)

    def upload(self, data: bytes, content_type: str, expense_id: str = "E1") -> None:
        """What a client's POST to the ticket's url leaves behind."""
        self.receipts.write(pending_key(USER, expense_id), data, content_type)

    def confirm(self, expense_id: str = "E1") -> Expense:
        return svc.confirm_upload(
            store=self.store,
            receipts=self.receipts,
            clock=self.clock,
            user_id=USER,
            expense_id=expense_id,
        )


@pytest.fixture
def world() -> World:
    return World()


def test_upload_ticket_targets_the_users_pending_key_for_the_expense(world: World) -> None:
    world.expense()
    ticket = svc.request_upload(
        store=world.store,
        receipts=world.receipts,
        user_id=USER,
        expense_id="E1",
        content_type="image/png",
        size=2048,
    )
    assert ticket.fields["key"] == f"users/{USER}/receipts/E1/pending"
    assert ticket.fields["Content-Type"] == "image/png"
    assert ticket.max_bytes == 2048


@pytest.mark.parametrize(
    ("content_type", "size", "field_name"),
    [("image/svg+xml", 100, "content_type"), ("image/png", 10 * 1024 * 1024 + 1, "size")],
)
def test_upload_ticket_refuses_other_types_and_oversize(
    world: World, content_type: str, size: int, field_name: str
) -> None:
    world.expense()
    with pytest.raises(Invalid) as refused:
        svc.request_upload(
            store=world.store,
            receipts=world.receipts,
            user_id=USER,
            expense_id="E1",
            content_type=content_type,
            size=size,
        )
    assert [e.field for e in refused.value.errors] == [field_name]


def test_upload_ticket_for_another_users_expense_is_not_found(world: World) -> None:
    world.expense(user_id=OTHER)
    with pytest.raises(NotFound):
        svc.request_upload(
            store=world.store,
            receipts=world.receipts,
            user_id=USER,
            expense_id="E1",
            content_type="image/png",
            size=10,
        )


def test_confirm_without_an_upload_is_a_conflict(world: World) -> None:
    world.expense()
    with pytest.raises(Conflict):
        world.confirm()


def test_confirm_attaches_a_new_receipt_one_version_later(world: World) -> None:
    world.expense()
    png = files.image_bytes("PNG")
    world.upload(png, "image/png")

    confirmed = world.confirm()

    receipt = confirmed.receipt
    assert receipt is not None and confirmed.version == 2
    assert (receipt.content_type, receipt.size, receipt.uploaded_at) == ("image/png", len(png), NOW)
    assert receipt.key.startswith(f"users/{USER}/receipts/E1/") and receipt.key != pending_key(
        USER, "E1"
    )
    assert world.receipts.objects == {receipt.key: (png, "image/png")}  # the upload is gone


def test_confirm_replacing_a_receipt_removes_the_old_file(world: World) -> None:
    world.expense()
    world.upload(files.image_bytes("PNG"), "image/png")
    first = world.confirm().receipt
    world.upload(files.PDF, "application/pdf")

    second = world.confirm()

    assert first is not None and second.receipt is not None and second.version == 3
    assert list(world.receipts.objects) == [second.receipt.key]


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (files.HTML_AS_PNG, "image/png"),
        (files.image_bytes("JPEG"), "image/png"),
        (files.png_bomb(), "image/png"),
    ],
)
def test_confirm_refuses_and_deletes_bytes_that_are_not_the_declared_type(
    world: World, data: bytes, declared: str
) -> None:
    world.expense()
    world.upload(data, declared)
    with pytest.raises(Invalid):
        world.confirm()
    assert world.receipts.objects == {}
    assert world.store.get(USER, "E1").version == 1


def test_confirm_strips_gps_from_the_kept_copy(world: World) -> None:
    world.expense()
    world.upload(files.image_with_gps("JPEG"), "image/jpeg")
    receipt = world.confirm().receipt
    assert receipt is not None
    kept = world.receipts.read(receipt.key)
    assert files.GPS_IFD not in files.exif_of(kept)


class FlakyStore(MemoryExpenseStore):
    """Another writer wins the first `losses` replaces."""

    def __init__(self, losses: int) -> None:
        super().__init__()
        self.losses = losses

    def replace(self, expense: Expense, expected_version: int) -> Expense:
        if self.losses:
            self.losses -= 1
            current = self.get(expense.user_id, expense.id)
            super().replace(
                Expense(**{**current.__dict__, "version": current.version + 1}), current.version
            )
        return super().replace(expense, expected_version)


def test_confirm_retries_when_the_expense_changed_meanwhile(world: World) -> None:
    world.store = FlakyStore(losses=1)
    world.expense()
    world.upload(files.PDF, "application/pdf")
    confirmed = world.confirm()
    assert confirmed.receipt is not None and confirmed.version == 3


def test_confirm_that_keeps_losing_leaves_no_file_behind(world: World) -> None:
    world.store = FlakyStore(losses=99)
    world.expense()
    world.upload(files.PDF, "application/pdf")
    with pytest.raises(Conflict):  # retried until given up: a conflict, not a precondition
        world.confirm()
    assert list(world.receipts.objects) == [pending_key(USER, "E1")]  # only the upload


def test_view_gives_a_link_only_for_an_existing_receipt(world: World) -> None:
    world.expense()
    with pytest.raises(NotFound):
        svc.view_receipt(store=world.store, receipts=world.receipts, user_id=USER, expense_id="E1")
    world.upload(files.PDF, "application/pdf")
    receipt = world.confirm().receipt
    assert receipt is not None
    url = svc.view_receipt(
        store=world.store, receipts=world.receipts, user_id=USER, expense_id="E1"
    )
    assert url == f"memory://{receipt.key}"
    with pytest.raises(NotFound):
        svc.view_receipt(store=world.store, receipts=world.receipts, user_id=OTHER, expense_id="E1")


def test_delete_receipt_detaches_and_removes_the_file(world: World) -> None:
    world.expense()
    world.upload(files.PDF, "application/pdf")
    world.confirm()
    after = svc.delete_receipt(
        store=world.store, receipts=world.receipts, clock=world.clock, user_id=USER, expense_id="E1"
    )
    assert after.receipt is None and after.version == 3
    assert world.receipts.objects == {}
    with pytest.raises(NotFound):
        svc.delete_receipt(
            store=world.store,
            receipts=world.receipts,
            clock=world.clock,
            user_id=USER,
            expense_id="E1",
        )


def test_deleting_the_expense_removes_its_receipt_file(world: World) -> None:
    world.expense()
    world.upload(files.PDF, "application/pdf")
    world.confirm()
    delete_expense(store=world.store, receipts=world.receipts, user_id=USER, expense_id="E1")
    assert world.receipts.objects == {}


# -- garbage collection (on the local file store: it lists its files) ---------------------


def _age(root: Path, key: str, seconds: int) -> None:
    moment = (datetime.now(UTC) - timedelta(seconds=seconds)).timestamp()
    os.utime(root / "objects" / key, (moment, moment))


def test_gc_removes_stale_uploads_and_unreferenced_files_only(tmp_path: Path) -> None:
    store, clock = MemoryExpenseStore(), FixedClock(datetime.now(UTC))
    files_store = LocalReceiptStore(tmp_path, b"s" * 32, "", clock=clock)
    world = World(store=store, clock=clock)
    world.receipts = files_store  # type: ignore[assignment]
    world.expense(expense_id="E1")
    world.expense(expense_id="E2")
    world.upload(files.PDF, "application/pdf", "E1")
    kept = world.confirm("E1").receipt
    assert kept is not None
    files_store.write("users/user-1/receipts/E1/OLDCOPY", b"x", "image/png")  # replaced, leaked
    files_store.write("users/user-1/receipts/GONE/R1", b"x", "image/png")  # expense deleted
    files_store.write(pending_key(USER, "E2"), b"x", "image/png")  # upload never confirmed
    files_store.write("users/user-1/receipts/E2/FRESH", b"x", "image/png")  # confirm under way
    files_store.write("stray", b"x", "image/png")  # not a receipt key
    old = ["users/user-1/receipts/E1/OLDCOPY", "users/user-1/receipts/GONE/R1"]
    for key in [*old, pending_key(USER, "E2"), kept.key, "stray"]:
        _age(tmp_path, key, 3600)

    dry = svc.collect_garbage(store=store, inventory=files_store, clock=clock, dry_run=True)
    assert files_store.inspect(old[0]) is not None  # a dry run removes nothing
    result = svc.collect_garbage(store=store, inventory=files_store, clock=clock)

    assert sorted(result.removed) == sorted(dry.removed) == sorted([*old, pending_key(USER, "E2")])
    assert (result.kept, result.unrecognised) == (2, 1)
    for key in result.removed:
        assert files_store.inspect(key) is None
    assert files_store.read(kept.key) == files.PDF


def test_gc_sweeps_old_temporary_files_and_used_tickets(tmp_path: Path) -> None:
    clock = FixedClock(datetime.now(UTC))
    files_store = LocalReceiptStore(tmp_path, b"s" * 32, "", clock=clock)
    ticket = files_store.upload_ticket(pending_key(USER, "E1"), "image/png", 9)
    files_store.begin_upload(ticket.fields).abort()  # leaves its used-ticket marker
    (tmp_path / "tmp" / "tmp-killed-upload").write_bytes(b"half")  # as a crash would leave
    leftovers = list((tmp_path / "tmp").iterdir()) + list((tmp_path / "tickets").iterdir())
    assert len(leftovers) == 2
    for path in leftovers:
        os.utime(path, (0, 0))
    result = svc.collect_garbage(store=MemoryExpenseStore(), inventory=files_store, clock=clock)
    assert result.scratch == 2
    assert not any(path.exists() for path in leftovers)


def test_gc_command_removes_orphans_from_the_data_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(app, ["gc", "--data-dir", str(data_dir)]).exit_code == 0  # creates it
    receipts = LocalReceiptStore(data_dir / "receipts", b"s" * 32, "")
    orphan = "users/user-1/receipts/E1/R1"
    receipts.write(orphan, files.PDF, "application/pdf")
    _age(data_dir / "receipts", orphan, 3600)

    dry = runner.invoke(app, ["gc", "--data-dir", str(data_dir), "--dry-run"])
    assert dry.exit_code == 0 and f"would remove {orphan}" in dry.output
    assert receipts.inspect(orphan) is not None
    done = runner.invoke(app, ["gc", "--data-dir", str(data_dir)])
    assert done.exit_code == 0 and f"removed {orphan}" in done.output
    assert receipts.inspect(orphan) is None
