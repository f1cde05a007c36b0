"""The data lake: a write queues a "lake" job (nothing is copied in the request) and the worker's
job writes JSON Lines partitioned by year and month, as the template's Glue table reads them
(moto's S3). The jobs here are held in a list and run when the test says, as the queue would."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import pytest

from expense_tracker.adapters.aws.data_lake import (
    EXPENSES_PER_JOB,
    LAKE_JOB,
    DataLakeStore,
    LakeCopier,
    lake_key,
)
from expense_tracker.adapters.common.clock import SystemClock
from expense_tracker.adapters.memory import MemoryExpenseStore
from expense_tracker.domain.errors import StorageError
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.domain.records import expense_to_record
from expense_tracker.ports.jobs import Job, JobData
from tests.contract.factories import make_expense, make_receipt, new_user
from tests.support.aws_stack import AwsStack

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

pytestmark = pytest.mark.aws
DAY = date(2026, 11, 24)  # make_expense's


class HeldJobs:
    """The queue: jobs wait until `run` hands them to the worker's handler."""

    def __init__(self) -> None:
        self.queued: list[Job] = []
        self.refuse = False

    def create(self, job: Job) -> Job:
        if self.refuse:
            raise StorageError("SQS SendMessage failed (AccessDenied)")
        self.queued.append(job)
        return job

    def run(self, copier: LakeCopier) -> list[JobData]:
        done, self.queued = self.queued, []
        return [copier(job, _NoReporter()) for job in done]


class _NoReporter:
    def report(self, progress: JobData) -> None:
        del progress

    def out_of_time(self) -> bool:
        return False


@pytest.fixture(scope="module")
def lake(aws_stack: AwsStack) -> str:
    return aws_stack.new_bucket("lake")


@pytest.fixture
def inner() -> MemoryExpenseStore:
    return MemoryExpenseStore()


@pytest.fixture
def jobs() -> HeldJobs:
    return HeldJobs()


@pytest.fixture
def copier(aws_stack: AwsStack, inner: MemoryExpenseStore, lake: str) -> LakeCopier:
    return LakeCopier(inner, aws_stack.s3, lake)


@pytest.fixture
def store(inner: MemoryExpenseStore, jobs: HeldJobs) -> DataLakeStore:
    return DataLakeStore(inner, jobs, SystemClock())  # type: ignore[arg-type]


def in_lake(
    s3: S3Client, bucket: str, user_id: str, expense_id: str, day: date = DAY
) -> dict[str, Any] | None:
    try:
        body = s3.get_object(Bucket=bucket, Key=lake_key(user_id, expense_id, day))["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    assert body.endswith(b"\n") and body.count(b"\n") == 1  # one JSON Lines record
    document: dict[str, Any] = json.loads(body)
    return document


def user_keys(s3: S3Client, bucket: str, user_id: str) -> list[str]:
    found = s3.list_objects_v2(Bucket=bucket, Prefix="expenses/").get("Contents", [])
    return sorted(item["Key"] for item in found if f"/{user_id}/" in item["Key"])


def test_a_write_queues_a_lake_job_and_copies_nothing_in_the_request(
    aws_stack: AwsStack, store: DataLakeStore, jobs: HeldJobs, lake: str
) -> None:
    user = new_user()
    expense = store.add(make_expense(user, amount="12.50"))
    assert user_keys(aws_stack.s3, lake, user) == []
    (job,) = jobs.queued
    assert (job.kind, job.user_id, job.status) == (LAKE_JOB, user, "queued")
    assert job.params == {"expenses": [{"id": expense.id, "dates": [DAY.isoformat()]}]}


def test_the_worker_writes_an_added_expense_into_its_months_partition(
    aws_stack: AwsStack, store: DataLakeStore, jobs: HeldJobs, copier: LakeCopier, lake: str
) -> None:
    user = new_user()
    expense = store.add(make_expense(user, amount="12.50", description="Lunch"))
    assert jobs.run(copier) == [{"written": 1, "removed": 0}]
    assert user_keys(aws_stack.s3, lake, user) == [
        f"expenses/year=2026/month=11/{user}/{expense.id}.json"
    ]
    document = in_lake(aws_stack.s3, lake, user, expense.id)
    assert document == expense_to_record(expense)
    assert document["amount"] == "12.50"  # a decimal string, never a float


def test_a_change_replaces_the_lake_copy(
    aws_stack: AwsStack, store: DataLakeStore, jobs: HeldJobs, copier: LakeCopier, lake: str
) -> None:
    user = new_user()
    first = store.add(make_expense(user))
    changed = dataclasses.replace(first, description="Dinner", version=2)
    store.replace(changed, expected_version=1)
    jobs.run(copier)
    assert in_lake(aws_stack.s3, lake, user, first.id) == expense_to_record(changed)


def test_a_new_date_moves_the_copy_to_its_new_month(
    aws_stack: AwsStack, store: DataLakeStore, jobs: HeldJobs, copier: LakeCopier, lake: str
) -> None:
    user = new_user()
    first = store.add(make_expense(user))
    jobs.run(copier)
    store.replace(dataclasses.replace(first, date=date(2025, 2, 3), version=2), 1)
    assert jobs.run(copier) == [{"written": 1, "removed": 1}]
    assert user_keys(aws_stack.s3, lake, user) == [
        f"expenses/year=2025/month=02/{user}/{first.id}.json"
    ]


def test_jobs_run_twice_or_out_of_order_leave_the_stores_latest_state(
    aws_stack: AwsStack, store: DataLakeStore, jobs: HeldJobs, copier: LakeCopier, lake: str
) -> None:
    user = new_user()
    first = store.add(make_expense(user))
    moved = store.replace(dataclasses.replace(first, date=date(2025, 5, 6), version=2), 1)
    add_job, move_job = jobs.queued
    jobs.queued = [move_job, add_job, move_job]  # a redelivery, and the older job last
    jobs.run(copier)
    assert user_keys(aws_stack.s3, lake, user) == [
        f"expenses/year=2025/month=05/{user}/{first.id}.json"
    ]
    assert in_lake(aws_stack.s3, lake, user, first.id, moved.date) == expense_to_record(moved)


def test_the_receipts_storage_key_stays_out_of_the_lake(
    aws_stack: AwsStack, store: DataLakeStore, jobs: HeldJobs, copier: LakeCopier, lake: str
) -> None:
    user = new_user()
    expense = store.add(make_expense(user, receipt=make_receipt("users/x/receipts/y/z")))
    jobs.run(copier)
    document = in_lake(aws_stack.s3, lake, user, expense.id)
    assert document is not None
    assert document["receipt"]["content_type"] == "image/jpeg"
    assert "key" not in document["receipt"]


def test_deleting_removes_the_lake_copy(
    aws_stack: AwsStack, store: DataLakeStore, jobs: HeldJobs, copier: LakeCopier, lake: str
) -> None:
    user = new_user()
    kept, doomed = store.add(make_expense(user)), store.add(make_expense(user))
    jobs.run(copier)
    store.delete(user, doomed.id)
    assert jobs.run(copier) == [{"written": 0, "removed": 1}]
    assert user_keys(aws_stack.s3, lake, user) == [
        f"expenses/year=2026/month=11/{user}/{kept.id}.json"
    ]


def test_an_import_lands_whole_and_deleting_the_user_empties_only_their_objects(
    aws_stack: AwsStack, store: DataLakeStore, jobs: HeldJobs, copier: LakeCopier, lake: str
) -> None:
    user, neighbour = new_user(), new_user()
    days = [date(2025, month, 1 + n) for n in range(3) for month in (1, 6, 12)]
    store.add_many([make_expense(user, day=day) for day in days])
    assert len(jobs.queued) == 1  # one job per write batch
    store.add(make_expense(neighbour))
    jobs.run(copier)
    keys = user_keys(aws_stack.s3, lake, user)
    assert len(keys) == len(days)
    assert {k.split("/")[2] for k in keys} == {"month=01", "month=06", "month=12"}
    store.delete_user(user)
    jobs.run(copier)
    assert user_keys(aws_stack.s3, lake, user) == []
    assert len(user_keys(aws_stack.s3, lake, neighbour)) == 1


def test_a_large_import_is_split_into_jobs_of_bounded_size(
    store: DataLakeStore, jobs: HeldJobs
) -> None:
    user = new_user()
    store.add_many([make_expense(user) for _ in range(EXPENSES_PER_JOB + 1)])
    sizes = [len(cast("list[Any]", j.params["expenses"])) for j in jobs.queued]
    assert sizes == [EXPENSES_PER_JOB, 1]


def test_reads_are_the_wrapped_stores(store: DataLakeStore, inner: MemoryExpenseStore) -> None:
    user = new_user()
    added = store.add(make_expense(user, category="Travel"))
    assert store.get(user, added.id) == inner.get(user, added.id) == added
    assert [e.id for e in store.iterate(user, ExpenseFilter())] == [added.id]
    assert [c.name for c in store.categories(user)] == ["Travel"]
    assert store.list_page(user, ExpenseFilter(), 10, None).items == [added]
    assert store.summary(user, None, None) == inner.summary(user, None, None)
    assert store.summary_totals(user, ExpenseFilter(), None) == inner.summary_totals(
        user, ExpenseFilter(), None
    )


def test_a_job_that_cannot_be_queued_never_fails_the_write(
    store: DataLakeStore,
    inner: MemoryExpenseStore,
    jobs: HeldJobs,
    caplog: pytest.LogCaptureFixture,
) -> None:
    jobs.refuse = True
    user = new_user()
    with caplog.at_level(logging.WARNING, logger="expense_tracker.adapters.aws.data_lake"):
        added = store.add(make_expense(user))
    assert inner.get(user, added.id) == added
    assert [r.getMessage() for r in caplog.records] == [
        "data lake job not queued (SQS SendMessage failed (AccessDenied))"
    ]


def test_a_failing_lake_bucket_fails_the_job_so_the_queue_retries_it(
    aws_stack: AwsStack, store: DataLakeStore, jobs: HeldJobs, inner: MemoryExpenseStore
) -> None:
    store.add(make_expense(new_user()))
    with pytest.raises(StorageError, match=r"S3 PutObject failed \(NoSuchBucket\)"):
        jobs.run(LakeCopier(inner, aws_stack.s3, "no-such-lake-bucket"))
