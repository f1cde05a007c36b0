"""The import job on the AWS stand-ins (DynamoDB Local, moto's S3 and SQS): a CSV imported by
the worker function in time slices, each invocation timed; the baseline is the same work in
one invocation (the sum of the slices: what the job took before it was sliced)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from tests.support.aws_stack import REGION

from expense_tracker.adapters.aws.sqs_jobs import SLICE_SECONDS
from expense_tracker.adapters.common.clock import SystemClock
from expense_tracker.entrypoints.lambda_handler import make_worker
from expense_tracker.services import imports

from .dataset import csv_bytes
from .lambda_stack import local_stack

USER = "bench-importer"
FUNCTION_TIMEOUT_SECONDS = 900  # the worker function's timeout (infra/template.yaml)


@dataclass
class LambdaContext:
    """What the worker reads of Lambda's context: the time its invocation has left."""

    deadline: float

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - time.monotonic()) * 1000)


def measure(rows: int, workdir: Path) -> dict[str, Any]:
    data = csv_bytes(rows, seed=13)
    with local_stack(workdir) as stack:
        sqs = boto3.client("sqs", endpoint_url=stack.moto_endpoint, region_name=REGION)
        queue = sqs.create_queue(QueueName=f"jobs-{uuid.uuid4().hex[:12]}")["QueueUrl"]
        settings = stack.settings(jobs_queue_url=queue)
        worker = make_worker(settings)
        job_id = _upload_and_start(settings, data)
        durations = _drain(worker, sqs, queue)
        job = _job(settings, job_id)
    if job.status != "done" or job.progress.get("imported") != rows:
        raise RuntimeError(f"the import ended {job.status}: {dict(job.progress)}")
    return {"rows": rows, "invocations": durations, "slice_seconds": SLICE_SECONDS}


def _container(settings: Any) -> Any:
    from expense_tracker.bootstrap import build_container

    return build_container(settings)


def _upload_and_start(settings: Any, data: bytes) -> str:
    container = _container(settings)
    job, _ = imports.create_import(
        jobs=container.jobs,
        receipts=container.receipts,
        clock=SystemClock(),
        user_id=USER,
        fmt="csv",
        size=len(data),
    )
    container.receipts.write(imports.upload_key(USER, job.id), data, "text/csv")
    imports.start_import(
        jobs=container.jobs, receipts=container.receipts, user_id=USER, job_id=job.id
    )
    return str(job.id)


def _drain(worker: Any, sqs: Any, queue: str) -> list[float]:
    """Deliver the queue's messages one per invocation (BatchSize 1) until it is empty."""
    durations: list[float] = []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1).get(
        "Messages", []
    ):
        event = {"Records": [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]}
        t0 = time.monotonic()
        answer = worker(event, LambdaContext(t0 + FUNCTION_TIMEOUT_SECONDS))
        durations.append(time.monotonic() - t0)
        if answer["batchItemFailures"]:
            raise RuntimeError(f"a worker invocation failed: {answer}")
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=messages[0]["ReceiptHandle"])
    return durations


def _job(settings: Any, job_id: str) -> Any:
    return _container(settings).jobs.get(USER, job_id)
