"""The import job in time slices on the memory adapters: a slice budget that is always spent
forces a checkpoint after every chunk; the result equals one long run's, a slice run twice adds
nothing twice, and a failure in a later slice takes back the chunks of the earlier ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from expense_tracker.adapters.memory import MemoryJobs, MemoryProfiles
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.domain.imports import IMPORT_KIND
from expense_tracker.ports.jobs import Continue, Job, JobData
from expense_tracker.services import import_job, import_seen
from expense_tracker.services import imports as svc
from expense_tracker.services.import_job import run_import
from expense_tracker.services.jobs import MAX_ATTEMPTS
from tests.unit.test_import_job import USER, World, csv_of

CHUNK = 4


class SliceWorld(World):
    """Every run's slice is spent at its first checkpoint."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.jobs = MemoryJobs(self.clock, out_of_time=lambda: True)
        self.jobs.bind(
            {IMPORT_KIND: lambda job, reporter: run_import(job, reporter, deps=self.deps())}
        )


class Spent:
    def report(self, progress: JobData) -> None:
        del progress

    def out_of_time(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_job, "CHUNK_ROWS", CHUNK)


def rows(count: int, repeat_every: int = 0) -> bytes:
    """`count` rows; with `repeat_every`, every such row repeats the first (equal coffees)."""
    lines = [f"2026-11-01,{i}.00,EUR,Food,row {i}" for i in range(1, count + 1)]
    if repeat_every:
        lines = [lines[0] if i % repeat_every == 0 else line for i, line in enumerate(lines)]
    return csv_of(*lines)


def test_a_sliced_import_equals_one_long_run_and_reimports_as_duplicates() -> None:
    sliced, whole = SliceWorld(), World()
    data = rows(30, repeat_every=7)  # equal rows in different slices stay separate expenses
    first = sliced.run("csv", data)
    assert sliced.jobs.slices == 30 // CHUNK  # a checkpoint after every full chunk
    assert first == {**whole.run("csv", data), "id": first["id"]}
    assert (first["imported"], first["duplicates"]) == (30, 0)
    assert sliced.expenses() == whole.expenses()
    again = sliced.run("csv", data)
    assert (again["imported"], again["duplicates"]) == (0, 30)
    assert len(sliced.expenses()) == 30


def test_a_slice_run_twice_adds_nothing_twice() -> None:
    world = SliceWorld()
    job = _uploaded(world, rows(10))
    running = replace(job, status="running", attempts=1)
    first = run_import(running, Spent(), deps=world.deps())
    assert isinstance(first, Continue) and first.progress["processed"] == CHUNK
    resumed = replace(running, progress=first.progress)
    second = run_import(resumed, Spent(), deps=world.deps())
    duplicate = run_import(resumed, Spent(), deps=world.deps())  # the same delivery again
    assert isinstance(second, Continue) and isinstance(duplicate, Continue)
    assert second.progress == duplicate.progress
    assert (second.progress["processed"], second.progress["imported"]) == (2 * CHUNK, 2 * CHUNK)
    assert len(world.expenses()) == 2 * CHUNK


def test_an_error_in_a_later_slice_takes_back_the_earlier_slices_chunks() -> None:
    world = SliceWorld()
    good = [f"2026-11-01,{i}.00,EUR,Food,row {i}" for i in range(1, 13)]
    view = world.run("csv", csv_of(*good, "2026-11-02,5.001,EUR,Food,bad"))
    assert world.jobs.slices == 3
    assert (view["status"], view["imported"], view["error_count"]) == ("failed", 0, 1)
    assert view["errors"][0]["line"] == 14
    assert world.expenses() == []


def test_a_crash_on_the_last_attempt_of_a_later_slice_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = SliceWorld()
    job = _uploaded(world, rows(12))
    first = run_import(replace(job, status="running", attempts=1), Spent(), deps=world.deps())
    assert isinstance(first, Continue) and len(world.expenses()) == CHUNK

    def crash(user_id: str, job_id: str, batch: list[Any]) -> Any:
        raise RuntimeError("the table is gone")

    monkeypatch.setattr(world.ledger, "add_batch", crash)
    last = replace(job, status="running", attempts=MAX_ATTEMPTS, progress=first.progress)
    with pytest.raises(RuntimeError):
        run_import(last, Spent(), deps=world.deps())
    assert world.expenses() == []  # the first slice's chunk was taken back out


def test_the_checkpoint_keeps_the_imports_moment_and_currency() -> None:
    world = SliceWorld()
    moment = world.clock.now()
    job = _uploaded(world, csv_of(*[f"2026-11-01,{i}.00,,Food,row {i}" for i in range(1, 10)]))
    first = run_import(replace(job, status="running", attempts=1), Spent(), deps=world.deps())
    assert isinstance(first, Continue)
    world.clock.advance(timedelta(days=1))
    later = replace(world.deps(), profiles=MemoryProfiles("USD"))  # changed between slices
    resumed = replace(job, status="running", attempts=1, progress=first.progress)
    assert isinstance(run_import(resumed, Unhurried(), deps=later), dict)
    found = world.store.iterate(USER, ExpenseFilter())
    assert {(e.currency, e.created_at) for e in found} == {("EUR", moment)}
    assert len(world.expenses()) == 9


class Unhurried(Spent):
    def out_of_time(self) -> bool:
        return False


def _uploaded(world: World, data: bytes) -> Job:
    job, _ = svc.create_import(
        jobs=world.jobs,
        receipts=world.receipts,
        clock=world.clock,
        user_id=USER,
        fmt="csv",
        size=len(data),
    )
    world.receipts.write(svc.upload_key(USER, job.id), data, "text/csv")
    return job


def test_a_later_slice_reads_on_from_its_byte_offset_not_from_the_start() -> None:
    world = SliceWorld()
    data = rows(10)
    job = _uploaded(world, data)
    first = run_import(replace(job, status="running", attempts=1), Spent(), deps=world.deps())
    assert isinstance(first, Continue)
    offset = int(first.progress[import_job.RESUME]["offset"])  # type: ignore[index]
    header = data.index(b"\n") + 1
    assert data[:offset].count(b"\n") == 1 + CHUNK  # just past the checkpoint's row
    # Rows before the offset made unreadable: a slice that parsed them again would fail.
    blanked = data[:header] + b"x" * (offset - header - 1) + b"\n" + data[offset:]
    world.receipts.write(svc.upload_key(USER, job.id), blanked, "text/csv")
    resumed = replace(job, status="running", attempts=1, progress=first.progress)
    done = run_import(resumed, Unhurried(), deps=world.deps())
    assert isinstance(done, dict)
    assert (done["processed"], done["imported"], done["error_count"]) == (10, 10, 0)


def _ids_csv(ids: list[str]) -> bytes:
    lines = [f"{e},2026-11-01,{i}.00,EUR,Food,row {i}" for i, e in enumerate(ids, start=1)]
    return ("id,date,amount,currency,category,description\n" + "\n".join(lines) + "\n").encode()


def test_an_id_repeated_in_a_later_slice_is_a_duplicate_as_in_one_long_run() -> None:
    ids = [f"01JX{i:022d}" for i in range(10)]
    data = _ids_csv([*ids, ids[1], ids[6]])  # repeats, each in a slice after its first
    sliced, whole = SliceWorld(), World()
    first = sliced.run("csv", data)
    assert first == {**whole.run("csv", data), "id": first["id"]}
    assert (first["imported"], first["duplicates"]) == (10, 2)


def test_a_resume_whose_kept_keys_are_gone_reads_the_file_again_with_the_same_result() -> None:
    world, whole = SliceWorld(), World()
    data = rows(10, repeat_every=3)
    job = _uploaded(world, data)
    first = run_import(replace(job, status="running", attempts=1), Spent(), deps=world.deps())
    assert isinstance(first, Continue)
    world.receipts.delete(import_seen.seen_key(svc.upload_key(USER, job.id)))  # a crash
    resumed = replace(job, status="running", attempts=1, progress=first.progress)
    done = run_import(resumed, Unhurried(), deps=world.deps())
    assert isinstance(done, dict)
    expected = whole.run("csv", data)
    assert (done["imported"], done["duplicates"]) == (expected["imported"], 0)
    assert world.expenses() == whole.expenses()


def test_the_kept_keys_are_removed_when_the_import_ends() -> None:
    world = SliceWorld()
    world.run("csv", rows(10))
    assert not [key for key in world.receipts.objects if key.endswith("/seen")]
