"""A large import on AWS runs as many short worker invocations (time slices) on moto's SQS and
DynamoDB Local: each checkpoints and queues its continuation; a duplicated delivery adds
nothing twice; an error in a later slice takes back every earlier slice's chunks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from expense_tracker.entrypoints.lambda_handler import (
    SLICE_MARGIN_SECONDS,
    make_handler,
    make_worker,
)
from expense_tracker.services import import_job
from tests.aws.test_sqs_jobs import receive
from tests.support.api import Api, User
from tests.support.aws_stack import REGION, AwsStack, gateway_authorizer, lambda_api
from tests.support.imports import start_import
from tests.support.lambda_transport import LambdaHandler

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

pytestmark = pytest.mark.aws
CHUNK = 5


@dataclass
class NoTimeLeft:
    """A Lambda context whose invocation has no time to spare: every slice stops at its first
    checkpoint."""

    def get_remaining_time_in_millis(self) -> int:
        return int(SLICE_MARGIN_SECONDS * 1000)


@dataclass
class Stand:
    api: Api
    user: User
    worker: LambdaHandler
    sqs: SQSClient
    queue: str

    def start(self, data: bytes) -> str:
        return str(start_import(self.api, self.user, data)["id"])

    def deliver(self, event: dict[str, Any]) -> None:
        assert self.worker(event, NoTimeLeft()) == {"batchItemFailures": []}

    def drain(self) -> int:
        """Deliver messages until the queue is empty; how many invocations that took."""
        invocations = 0
        while (event := receive(self.sqs, self.queue))["Records"]:
            for record in event["Records"]:
                self.deliver({"Records": [record]})
                invocations += 1
        return invocations

    def job(self, job_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.user.client.get(f"/api/imports/{job_id}").json()
        return answer

    def descriptions(self) -> list[str]:
        items = self.user.client.get("/api/expenses", params={"limit": 100}).json()["items"]
        return sorted(item["description"] for item in items)


@pytest.fixture
def sqs(moto_endpoint: str) -> SQSClient:
    return boto3.client("sqs", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture
def queue(sqs: SQSClient) -> str:
    return sqs.create_queue(QueueName=f"jobs-{uuid.uuid4().hex[:12]}")["QueueUrl"]


@pytest.fixture
def stand(
    aws_stack: AwsStack,
    sqs: SQSClient,
    queue: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Stand]:
    monkeypatch.setattr(import_job, "CHUNK_ROWS", CHUNK)
    settings = aws_stack.settings(jobs_queue_url=queue)
    api = lambda_api(make_handler(settings), aws_stack, gateway_authorizer(aws_stack))
    user = api.new_user()
    try:
        yield Stand(api, user, make_worker(settings), sqs, queue)
    finally:
        user.client.close()


def csv_rows(count: int, *extra: str) -> bytes:
    lines = [f"2026-11-{1 + i % 28:02d},{i}.50,EUR,Food,row {i:03d}" for i in range(1, count + 1)]
    lines += list(extra)
    return ("date,amount,currency,category,description\n" + "\n".join(lines) + "\n").encode()


def test_an_import_runs_in_slices_and_each_row_lands_once(stand: Stand) -> None:
    job_id = stand.start(csv_rows(23))
    assert stand.drain() == 5  # four slices of 5 rows, then the rest
    job = stand.job(job_id)
    assert (job["status"], job["processed"], job["imported"], job["duplicates"]) == (
        "done",
        23,
        23,
        0,
    )
    assert stand.descriptions() == [f"row {i:03d}" for i in range(1, 24)]


def test_a_duplicated_delivery_of_a_slice_adds_nothing_twice(stand: Stand) -> None:
    job_id = stand.start(csv_rows(12))
    first = receive(stand.sqs, stand.queue)
    stand.deliver(first)  # slice 1: rows 1-5, then its continuation is queued
    stand.deliver(first)  # the same message again: it resumes from the stored checkpoint
    assert stand.job(job_id)["processed"] == 2 * CHUNK
    stand.drain()
    job = stand.job(job_id)
    assert (job["status"], job["imported"], job["duplicates"]) == ("done", 12, 0)
    assert stand.descriptions() == [f"row {i:03d}" for i in range(1, 13)]


def test_an_error_in_a_later_slice_takes_back_the_earlier_slices(stand: Stand) -> None:
    job_id = stand.start(csv_rows(12, "2026-11-02,5.001,EUR,Food,bad"))
    assert stand.drain() == 3
    job = stand.job(job_id)
    assert (job["status"], job["imported"], job["error_count"]) == ("failed", 0, 1)
    assert job["errors"][0]["line"] == 14
    assert stand.descriptions() == []
