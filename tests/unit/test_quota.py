"""The storage quota's rules on the in-memory fakes: expired uploads go on the next ticket,
an import statement goes only while its job still waits for it, the limits' problems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.adapters.memory import MemoryJobs, MemoryReceiptStore
from expense_tracker.domain.errors import FileTooLarge, QuotaExceeded
from expense_tracker.services import imports
from expense_tracker.services.quota import (
    PENDING_LIFETIME,
    Quota,
    check_room,
    sweep_expired_uploads,
    used_bytes,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
USER = "user-1"


def world(limit: int = 1000) -> tuple[MemoryReceiptStore, Quota, FixedClock]:
    clock = FixedClock(NOW)
    return MemoryReceiptStore(), Quota(limit, MemoryJobs(clock), clock), clock


def put(store: MemoryReceiptStore, key: str, size: int, age: timedelta) -> None:
    store.write(key, b"x" * size, "image/png")
    store.modified[key] = NOW - age


def test_an_expired_upload_is_removed_by_the_next_ticket_and_not_counted() -> None:
    store, quota, _ = world()
    old = f"users/{USER}/receipts/E1/pending"
    put(store, old, 600, PENDING_LIFETIME + timedelta(seconds=1))
    put(store, f"users/{USER}/receipts/E2/01J", 300, timedelta(days=30))
    check_room(store, quota, USER, size=700, field="size")  # 300 kept + 700 fits 1000
    assert store.inspect(old) is None


def test_a_fresh_upload_counts_and_stays() -> None:
    store, quota, _ = world()
    fresh = f"users/{USER}/scans/S1/pending"
    put(store, fresh, 600, timedelta(seconds=30))
    with pytest.raises(QuotaExceeded) as refused:
        check_room(store, quota, USER, size=401, field="size")
    assert refused.value.errors[0].field == "size"
    assert store.inspect(fresh) is not None


def test_a_file_over_the_whole_quota_is_too_large_whatever_is_used() -> None:
    store, quota, _ = world()
    with pytest.raises(FileTooLarge):
        check_room(store, quota, USER, size=1001, field="size")


def test_other_users_and_exports_do_not_count() -> None:
    store, quota, _ = world()
    put(store, "users/user-2/receipts/E1/01J", 900, timedelta(days=1))
    put(store, f"users/{USER}/exports/X1/expenses.csv", 900, timedelta(hours=1))
    assert used_bytes(store, quota, USER, besides=()) == 0


def test_a_statement_is_swept_while_its_import_waits_but_kept_once_it_started() -> None:
    store, quota, _ = world()
    waiting, _ = imports.create_import(
        jobs=quota.jobs, receipts=store, clock=quota.clock, user_id=USER, fmt="csv", size=10
    )
    started, _ = imports.create_import(
        jobs=quota.jobs, receipts=store, clock=quota.clock, user_id=USER, fmt="csv", size=10
    )
    old = PENDING_LIFETIME * 2
    put(store, imports.upload_key(USER, waiting.id), 10, old)
    put(store, imports.upload_key(USER, started.id), 10, old)
    # Started: no longer waiting (no handler is bound, so nothing reads or removes the file).
    imports.start_import(jobs=quota.jobs, receipts=store, user_id=USER, job_id=started.id)
    assert sweep_expired_uploads(store, quota) == 1
    assert store.inspect(imports.upload_key(USER, waiting.id)) is None
    assert store.inspect(imports.upload_key(USER, started.id)) is not None
