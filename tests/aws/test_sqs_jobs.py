"""The SQS jobs adapter on moto's SQS and DynamoDB Local: enqueue, the worker's batches with
partial failures, claims that keep a duplicate delivery from running a job twice, retries, and
a statement imported end to end through the queue and the worker entry point."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from expense_tracker.adapters.aws.dynamodb_codec import key
from expense_tracker.adapters.aws.dynamodb_schema import TTL_ATTRIBUTE
from expense_tracker.adapters.aws.job_records import JOB_PREFIX
from expense_tracker.adapters.aws.sqs_jobs import SqsJobs, handle_batch
from expense_tracker.adapters.common.clock import FixedClock
from expense_tracker.domain.errors import NotFound
from expense_tracker.entrypoints.lambda_handler import make_handler, make_worker
from expense_tracker.ports.jobs import Job, JobData, JobFailed, JobReporter
from expense_tracker.services.jobs import INTERNAL_ERROR, MAX_ATTEMPTS, new_job
from tests.support.api import Api, User
from tests.support.aws_stack import REGION, AwsStack, gateway_authorizer, lambda_api
from tests.support.imports import start_import
from tests.support.lambda_transport import LambdaHandler

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

pytestmark = pytest.mark.aws
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STATEMENT = Path(__file__).parent.parent / "data" / "statements" / "ofx_v1_sgml.ofx"
Handler = Callable[[Job, JobReporter], JobData]


@pytest.fixture
def sqs(moto_endpoint: str) -> SQSClient:
    return boto3.client("sqs", endpoint_url=moto_endpoint, region_name=REGION)


@pytest.fixture
def queue(sqs: SQSClient) -> str:
    return sqs.create_queue(QueueName=f"jobs-{uuid.uuid4().hex[:12]}")["QueueUrl"]


def make_jobs(
    dynamodb_client: DynamoDBClient, table: str, sqs: SQSClient, queue: str, handler: Handler
) -> SqsJobs:
    jobs = SqsJobs(dynamodb_client, table, sqs, queue, FixedClock(NOW))
    jobs.bind({"test": handler})
    return jobs


def waiting(user: str = "u1") -> Job:
    return new_job(
        user_id=f"{user}-{uuid.uuid4().hex[:8]}",
        kind="test",
        params={"n": 3},
        status="waiting_upload",
        now=NOW,
    )


def receive(sqs: SQSClient, queue: str) -> dict[str, Any]:
    """The queue's messages as the SQS event a Lambda event source mapping would deliver."""
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]
    return {"Records": records}


def test_enqueue_queues_once_and_the_worker_runs_the_job(
    dynamodb_client: DynamoDBClient, dynamodb_table: str, sqs: SQSClient, queue: str
) -> None:
    runs: list[str] = []

    def handler(job: Job, reporter: JobReporter) -> JobData:
        runs.append(job.id)
        reporter.report({"processed": 1})
        return {"processed": job.params["n"]}

    jobs = make_jobs(dynamodb_client, dynamodb_table, sqs, queue, handler)
    job = jobs.create(waiting())
    assert jobs.enqueue(job.user_id, job.id).status == "queued"
    event = receive(sqs, queue)
    assert handle_batch(jobs, event) == {"batchItemFailures": []}
    done = jobs.get(job.user_id, job.id)
    assert (done.status, done.progress, done.attempts) == ("done", {"processed": 3}, 1)
    # A duplicate delivery of a finished job runs nothing.
    assert handle_batch(jobs, event) == {"batchItemFailures": []}
    assert runs == [job.id]
    assert jobs.enqueue(job.user_id, job.id).status == "done"


def test_a_scan_record_expires_a_day_after_it_finishes_and_other_jobs_never(
    dynamodb_client: DynamoDBClient, dynamodb_table: str, sqs: SQSClient, queue: str
) -> None:
    jobs = make_jobs(dynamodb_client, dynamodb_table, sqs, queue, lambda *_: {"ok": 1})
    jobs.bind({"scan": lambda *_: {"fields": {}}, "test": lambda *_: {"ok": 1}})
    created = NOW - timedelta(hours=3)
    scan = jobs.create(replace(waiting(), kind="scan", created_at=created, updated_at=created))
    other = jobs.create(waiting())

    def ttl(job: Job) -> str | None:
        item = dynamodb_client.get_item(
            TableName=dynamodb_table, Key=key(job.user_id, JOB_PREFIX + job.id)
        )["Item"]
        return item.get(TTL_ATTRIBUTE, {}).get("N")

    assert ttl(scan) == str(int((created + timedelta(hours=24)).timestamp()))
    for job in (scan, other):
        jobs.enqueue(job.user_id, job.id)
    handle_batch(jobs, receive(sqs, queue))
    assert jobs.get(scan.user_id, scan.id).status == "done"
    assert ttl(scan) == str(int((NOW + timedelta(hours=24)).timestamp()))
    assert ttl(other) is None


def test_a_delivery_while_the_job_runs_elsewhere_is_reported_failed_not_run(
    dynamodb_client: DynamoDBClient, dynamodb_table: str, sqs: SQSClient, queue: str
) -> None:
    inner: list[dict[str, Any]] = []
    runs: list[str] = []

    def handler(job: Job, reporter: JobReporter) -> JobData:
        runs.append(job.id)
        inner.append(handle_batch(jobs, event))  # the same message, delivered again meanwhile
        return {}

    jobs = make_jobs(dynamodb_client, dynamodb_table, sqs, queue, handler)
    job = jobs.create(waiting())
    jobs.enqueue(job.user_id, job.id)
    event = receive(sqs, queue)
    assert handle_batch(jobs, event) == {"batchItemFailures": []}
    message_id = event["Records"][0]["messageId"]
    assert inner == [{"batchItemFailures": [{"itemIdentifier": message_id}]}]
    assert runs == [job.id]


def test_a_crash_is_retried_and_fails_for_good_after_the_last_attempt(
    dynamodb_client: DynamoDBClient, dynamodb_table: str, sqs: SQSClient, queue: str
) -> None:
    def handler(job: Job, reporter: JobReporter) -> JobData:
        raise RuntimeError("the disk is on fire")

    jobs = make_jobs(dynamodb_client, dynamodb_table, sqs, queue, handler)
    job = jobs.create(waiting())
    jobs.enqueue(job.user_id, job.id)
    event = receive(sqs, queue)
    for _ in range(MAX_ATTEMPTS - 1):
        assert len(handle_batch(jobs, event)["batchItemFailures"]) == 1
        assert jobs.get(job.user_id, job.id).status == "queued"  # released for the retry
    assert handle_batch(jobs, event) == {"batchItemFailures": []}
    failed = jobs.get(job.user_id, job.id)
    assert (failed.status, failed.progress["error"]) == ("failed", INTERNAL_ERROR)
    assert "fire" not in json.dumps(failed.progress)


def test_bad_input_fails_the_job_with_its_message(
    dynamodb_client: DynamoDBClient, dynamodb_table: str, sqs: SQSClient, queue: str
) -> None:
    def handler(job: Job, reporter: JobReporter) -> JobData:
        raise JobFailed("line 3: amount is not a number", {"processed": 3})

    jobs = make_jobs(dynamodb_client, dynamodb_table, sqs, queue, handler)
    job = jobs.create(waiting())
    jobs.enqueue(job.user_id, job.id)
    assert handle_batch(jobs, receive(sqs, queue)) == {"batchItemFailures": []}
    failed = jobs.get(job.user_id, job.id)
    assert failed.progress == {"processed": 3, "error": "line 3: amount is not a number"}


def test_jobs_are_per_user_and_listed_newest_first(
    dynamodb_client: DynamoDBClient, dynamodb_table: str, sqs: SQSClient, queue: str
) -> None:
    jobs = make_jobs(dynamodb_client, dynamodb_table, sqs, queue, lambda _job, _reporter: {})
    first = jobs.create(waiting())
    second = jobs.create(
        new_job(user_id=first.user_id, kind="test", params={}, status="waiting_upload", now=NOW)
    )
    assert [j.id for j in jobs.list(first.user_id, "test")] == [second.id, first.id]
    assert jobs.list(first.user_id, "other") == []
    with pytest.raises(NotFound):
        jobs.get("someone-else", first.id)


def test_a_statement_imports_through_the_queue_and_the_worker_function(
    aws_stack: AwsStack, sqs: SQSClient, queue: str
) -> None:
    settings = aws_stack.settings(jobs_queue_url=queue)
    api = lambda_api(make_handler(settings), aws_stack, gateway_authorizer(aws_stack))
    worker = make_worker(settings)
    user = api.new_user()
    try:
        _import_through_the_worker(api, user, worker, sqs, queue)
    finally:
        user.client.close()  # and its transport's event loop


def _import_through_the_worker(
    api: Api, user: User, worker: LambdaHandler, sqs: SQSClient, queue: str
) -> None:
    started = start_import(api, user, STATEMENT.read_bytes(), fmt="ofx")
    assert started["status"] == "queued"
    assert worker(receive(sqs, queue), None) == {"batchItemFailures": []}
    job = user.client.get(f"/api/imports/{started['id']}").json()
    assert (job["status"], job["imported"], job["skipped"]) == ("done", 2, 2)
    assert len(user.client.get("/api/expenses").json()["items"]) == 2
