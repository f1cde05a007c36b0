"""Use cases on the memory fakes: expenses and transfer (import/export)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.memory import (
    MemoryExpenseStore,
    MemoryProfiles,
    MemoryRates,
    MemoryReceiptStore,
)
from expense_tracker.domain.errors import (
    Conflict,
    Invalid,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
)
from expense_tracker.domain.expense import (
    DEFAULT_CATEGORIES,
    Expense,
    ExpenseFilter,
    RawExpense,
    Receipt,
)
from expense_tracker.services import expenses as svc
from expense_tracker.services import transfer
from expense_tracker.services.cursors import CursorCodec
from expense_tracker.services.summary import summarize_expenses

NOW = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


class RacingStore(MemoryExpenseStore):
    """Another writer changes the expense right before each of our next `races` replaces."""

    def __init__(self, races: int) -> None:
        super().__init__()
        self.races = races

    def replace(self, expense: Expense, expected_version: int) -> Expense:
        if self.races > 0:
            self.races -= 1
            theirs = self.get(expense.user_id, expense.id)
            super().replace(
                dataclasses.replace(theirs, description="theirs", version=theirs.version + 1),
                theirs.version,
            )
        return super().replace(expense, expected_version)


@dataclass
class World:
    store: MemoryExpenseStore = field(default_factory=MemoryExpenseStore)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    profiles: MemoryProfiles = field(default_factory=lambda: MemoryProfiles("EUR"))
    receipts: MemoryReceiptStore = field(default_factory=MemoryReceiptStore)
    cursors: CursorCodec = field(default_factory=lambda: CursorCodec(b"k" * 32))

    def add(self, user: str = "alice", key: str | None = None, **raw: object) -> Expense:
        fields = {"amount": "12.50", "category": "Food", **raw}
        return svc.add_expense(
            store=self.store,
            clock=self.clock,
            profiles=self.profiles,
            user_id=user,
            raw=RawExpense(**fields),
            idempotency_key=key,
        )

    def update(self, expense: Expense, if_match: int | None = None, **changes: object) -> Expense:
        return svc.update_expense(
            store=self.store,
            clock=self.clock,
            user_id=expense.user_id,
            expense_id=expense.id,
            changes=changes,
            if_match=if_match,
        )

    def page(
        self, limit: int = 50, cursor: str | None = None, **filters: object
    ) -> svc.ListedRecords:
        return svc.list_records(
            store=self.store,
            cursors=self.cursors,
            user_id="alice",
            filters=ExpenseFilter(**filters),  # type: ignore[arg-type]
            limit=limit,
            cursor=cursor,
        )

    def import_csv(self, data: bytes, partial: bool = False) -> transfer.ImportResult:
        return transfer.import_csv(
            store=self.store,
            clock=self.clock,
            profiles=self.profiles,
            user_id="alice",
            data=data,
            partial=partial,
        )


def _everything(world: World, user: str = "alice") -> list[Expense]:
    return list(world.store.iterate(user, ExpenseFilter()))


def test_new_expense_gets_id_times_version_and_the_users_currency() -> None:
    world = World()
    world.profiles.set_default_currency("alice", "JPY")

    expense = world.add(amount="1500")

    assert (expense.currency, expense.amount, expense.version) == ("JPY", Decimal(1500), 1)
    assert (expense.created_at, expense.updated_at, expense.date) == (NOW, NOW, NOW.date())
    assert len(expense.id) == 26
    assert world.store.get("alice", expense.id) == expense


def test_invalid_expense_is_not_stored() -> None:
    world = World()

    with pytest.raises(Invalid):
        world.add(amount="-3")

    assert _everything(world) == []


def test_replayed_request_returns_the_first_expense() -> None:
    world = World()
    first = world.add(key="k1")
    world.clock.advance(timedelta(minutes=1))

    assert world.add(key="k1") == first
    assert _everything(world) == [first]


def test_same_key_with_another_body_is_invalid() -> None:
    world = World()
    world.add(key="k1")

    with pytest.raises(Invalid) as caught:
        world.add(key="k1", amount="13.00")

    assert caught.value.errors[0].field == "Idempotency-Key"


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_idempotency_key_length_is_checked(key: str) -> None:
    with pytest.raises(Invalid) as caught:
        World().add(key=key)

    assert caught.value.errors[0].field == "Idempotency-Key"


@pytest.mark.parametrize("limit", [0, 201])
def test_page_size_is_bounded(limit: int) -> None:
    with pytest.raises(Invalid) as caught:
        World().page(limit=limit)

    assert caught.value.errors[0].field == "limit"


def test_period_must_not_end_before_it_starts() -> None:
    world = World()

    with pytest.raises(Invalid):
        world.page(date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))
    with pytest.raises(Invalid):
        summarize_expenses(
            store=world.store,
            rates=MemoryRates({}),
            profiles=world.profiles,
            user_id="a",
            filters=ExpenseFilter(date_from=date(2026, 2, 1), date_to=date(2026, 1, 1)),
        )


def test_cursor_walks_every_page() -> None:
    world = World()
    added = [world.add(date=f"2026-11-{day:02d}") for day in range(1, 8)]

    first = world.page(limit=3)
    second = world.page(limit=3, cursor=first.next_cursor)
    third = world.page(limit=3, cursor=second.next_cursor)

    seen = first.items + second.items + third.items
    assert [r["id"] for r in seen] == [e.id for e in reversed(added)]
    assert third.next_cursor is None


def test_cursor_cannot_be_reused_with_other_filters() -> None:
    world = World()
    for day in range(1, 4):
        world.add(date=f"2026-11-{day:02d}")
    cursor = world.page(limit=1).next_cursor

    with pytest.raises(Invalid):
        world.page(limit=1, cursor=cursor, category="Food")


def test_other_users_expense_is_not_found() -> None:
    world = World()
    mine = world.add()

    with pytest.raises(NotFound):
        svc.get_expense(store=world.store, user_id="mallory", expense_id=mine.id)
    with pytest.raises(NotFound):
        world.update(dataclasses.replace(mine, user_id="mallory"), category="Hacked")


def test_update_changes_only_what_is_given() -> None:
    world = World()
    expense = world.add(description="Lunch")
    world.clock.advance(timedelta(hours=1))

    changed = world.update(expense, amount="3.20")

    assert (changed.amount, changed.description, changed.version) == (Decimal("3.20"), "Lunch", 2)
    assert changed.updated_at == NOW + timedelta(hours=1)
    assert world.store.get("alice", expense.id) == changed


def test_empty_update_changes_nothing() -> None:
    world = World()
    expense = world.add()

    assert world.update(expense) == expense


def test_stale_if_match_is_refused() -> None:
    world = World()
    expense = world.add()
    world.update(expense, description="first")

    with pytest.raises(PreconditionFailed):
        world.update(expense, if_match=1, description="second")

    assert world.store.get("alice", expense.id).description == "first"


def test_update_retries_on_a_concurrent_change_and_keeps_both() -> None:
    world = World(store=RacingStore(races=1))
    expense = world.add()

    changed = world.update(expense, category="Travel")

    assert (changed.category, changed.description, changed.version) == ("Travel", "theirs", 3)
    assert world.store.get("alice", expense.id) == changed


def test_update_with_if_match_does_not_retry_a_concurrent_change() -> None:
    world = World(store=RacingStore(races=1))
    expense = world.add()

    with pytest.raises(PreconditionFailed):
        world.update(expense, if_match=1, category="Travel")

    assert world.store.get("alice", expense.id).category == "Food"


def test_update_without_if_match_gives_up_with_a_conflict_not_a_precondition() -> None:
    world = World(store=RacingStore(races=100))
    expense = world.add()

    with pytest.raises(Conflict, match="keeps changing"):
        world.update(expense, category="Travel")


def test_delete_removes_the_expense_and_its_receipt_file() -> None:
    world = World()
    world.receipts.write("r/1", b"jpeg", "image/jpeg")
    expense = world.store.add(
        dataclasses.replace(world.add(), receipt=Receipt("image/jpeg", 4, NOW, "r/1"), id="x")
    )

    svc.delete_expense(
        store=world.store, receipts=world.receipts, user_id="alice", expense_id=expense.id
    )

    assert world.receipts.inspect("r/1") is None
    with pytest.raises(NotFound):
        world.store.get("alice", "x")


def test_categories_include_the_defaults_most_used_first() -> None:
    world = World()
    for category in ("Travel", "Travel", "Pets"):
        world.add(category=category)

    listed = svc.list_categories(store=world.store, user_id="alice")

    assert [(c.name, c.count) for c in listed[:2]] == [("Travel", 2), ("Pets", 1)]
    assert {c.name for c in listed} == {*DEFAULT_CATEGORIES, "Pets"}
    assert all(c.count == 0 for c in listed[2:])


def test_export_csv_and_json_hold_only_my_expenses() -> None:
    world = World()
    mine = world.add(description="=formula")
    world.add(user="bob", description="secret")

    text = b"".join(
        transfer.export_csv(store=world.store, user_id="alice", filters=ExpenseFilter())
    ).decode()
    records = json.loads(
        b"".join(
            transfer.export_json(store=world.store, user_id="alice", filters=ExpenseFilter())
        ).decode()
    )

    assert "'=formula" in text and "secret" not in text
    assert [r["id"] for r in records] == [mine.id]
    assert records[0]["amount"] == "12.50" and "user_id" not in records[0]


def test_export_reimports_as_new_expenses() -> None:
    world = World()
    world.add(description="=1+1", category="Food", amount="1.05", currency="KWD")
    exported = b"".join(
        transfer.export_csv(store=world.store, user_id="alice", filters=ExpenseFilter())
    )

    result = world.import_csv(exported)

    assert (result.imported, result.errors) == (1, [])
    copies = _everything(world)
    assert len({e.id for e in copies}) == 2
    assert {(e.description, e.amount, e.currency) for e in copies} == {
        ("=1+1", Decimal("1.050"), "KWD")
    }


BAD_IMPORT = b"date,amount,currency,category\n2026-11-01,1.00,USD,Food\n2026-11-02,x,USD,Food\n"


def test_import_is_all_or_nothing() -> None:
    world = World()

    result = world.import_csv(BAD_IMPORT)

    assert result.imported == 0
    assert [e.line for e in result.errors] == [3]
    assert _everything(world) == []


def test_partial_import_keeps_the_good_lines() -> None:
    world = World()

    result = world.import_csv(BAD_IMPORT, partial=True)

    assert result.imported == 1
    assert [e.line for e in result.errors] == [3]
    assert [e.amount for e in _everything(world)] == [Decimal("1.00")]


def test_import_refuses_files_over_10_mb() -> None:
    with pytest.raises(PayloadTooLarge, match="10 MB"):
        World().import_csv(b"x" * (transfer.MAX_IMPORT_BYTES + 1))


def test_import_refuses_text_that_is_not_utf8() -> None:
    with pytest.raises(Invalid, match="UTF-8"):
        World().import_csv(b"date,amount\n\xff\xfe")


def test_import_accepts_a_byte_order_mark() -> None:
    result = World().import_csv(b"\xef\xbb\xbf" + BAD_IMPORT.split(b"\n2026-11-02")[0])

    assert (result.imported, result.errors) == (1, [])
