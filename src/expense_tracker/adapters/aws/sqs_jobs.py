"""The jobs port on AWS: job records in the DynamoDB table, an SQS queue to the worker function.

Record: ``pk = USER#<sub>``, ``sk = JOB#<id>`` with kind, status, params and progress (JSON),
times, attempts and a lease. Enqueue is a conditional status update (waiting_upload ->
queued) and then a SendMessage; a queued job's message is sent again on a repeated start (a
lost send is repaired, a duplicate message is harmless). The worker claims a job by one
conditional update (queued, or running with an expired lease -> running, attempts + 1), so a
duplicate delivery never runs a job twice at the same time; a stale worker cannot overwrite
the result (its writes are conditioned on its attempt number).

Time slices: each run has a budget (SLICE_SECONDS, less when the invocation has less time
left). A handler that runs out of it returns Continue: the job is stored as queued with its
checkpoint (its attempt given back: attempts count crashes) and a continuation message is
sent, so a large import is many short invocations. A duplicate of any message only claims the
job when it is queued and resumes from the stored checkpoint, never from its own copy.

Records of some kinds expire: a scan's (its photo is gone a day after; job_records) carries
the table's TTL attribute, set when it is made and again when it finishes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import NotFound, StorageError
from ...ports import Clock
from ...ports.jobs import FINISHED, Job, JobData, JobHandlers, JobStatus
from ...services.jobs import MAX_ATTEMPTS, execute, finished, gave_up
from .dynamodb_calls import query_pages, sdk_errors
from .dynamodb_codec import key, n, s, user_pk
from .dynamodb_schema import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from .errors import error_code
from .job_records import JOB_PREFIX, expires_at, job_from_item, job_to_item, moment

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient


LEASE = timedelta(minutes=16)  # longer than the worker function's 900 s timeout
SLICE_SECONDS = 10.0  # a run's budget: the limit is 15 s per invocation
_FAILED = "ConditionalCheckFailedException"


class JobBusy(Exception):
    """Another worker holds the job's lease: the message should come back later."""


def _condition_failed(exc: ClientError) -> bool:
    return error_code(exc) == _FAILED


class SqsJobs:
    def __init__(
        self,
        dynamodb: DynamoDBClient,
        table_name: str,
        sqs: SQSClient,
        queue_url: str,
        clock: Clock,
        *,
        slice_seconds: float = SLICE_SECONDS,
    ) -> None:
        self._db, self._table, self._sqs, self._queue = dynamodb, table_name, sqs, queue_url
        self._clock = clock
        self.slice_seconds = slice_seconds
        self._handlers: JobHandlers = {}

    def bind(self, handlers: JobHandlers) -> None:
        self._handlers = handlers

    # --- the request side ---------------------------------------------------------------

    def create(self, job: Job) -> Job:
        with sdk_errors("PutItem"):
            self._db.put_item(TableName=self._table, Item=job_to_item(job))
        if job.status == "queued":
            self._send(job)
        return job

    def get(self, user_id: str, job_id: str) -> Job:
        with sdk_errors("GetItem"):
            item = self._db.get_item(
                TableName=self._table, Key=key(user_id, JOB_PREFIX + job_id), ConsistentRead=True
            ).get("Item")
        if item is None:
            raise NotFound("No such job")
        return job_from_item(user_id, item)

    def list(self, user_id: str, kind: str, limit: int = 50) -> list[Job]:
        found: list[Job] = []
        for page in query_pages(
            self._db,
            TableName=self._table,
            KeyConditionExpression="#pk = :pk AND begins_with(#sk, :prefix)",
            FilterExpression="#kind = :kind",
            ExpressionAttributeNames={"#pk": PARTITION_KEY, "#sk": SORT_KEY, "#kind": "kind"},
            ExpressionAttributeValues={
                ":pk": s(user_pk(user_id)),
                ":prefix": s(JOB_PREFIX),
                ":kind": s(kind),
            },
            ScanIndexForward=False,  # ULIDs: newest first
        ):
            found += [job_from_item(user_id, item) for item in page]
            if len(found) >= limit:
                break
        return found[:limit]

    def enqueue(self, user_id: str, job_id: str) -> Job:
        try:
            self._update(
                user_id,
                job_id,
                "SET #status = :queued, updated_at = :now",
                "#status = :waiting",
                {":queued": s("queued"), ":waiting": s("waiting_upload")},
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise StorageError(f"DynamoDB UpdateItem failed ({error_code(exc)})") from exc
        job = self.get(user_id, job_id)
        if job.status == "queued":
            self._send(job)
        return job

    def _send(self, job: Job) -> None:
        body = json.dumps({"user_id": job.user_id, "job_id": job.id})
        try:
            self._sqs.send_message(QueueUrl=self._queue, MessageBody=body)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError("SQS SendMessage failed") from exc

    def _update(
        self,
        user_id: str,
        job_id: str,
        update: str,
        condition: str,
        values: dict[str, Any],
    ) -> None:
        """One conditional UpdateItem; a ClientError (a failed condition) propagates."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=key(user_id, JOB_PREFIX + job_id),
                UpdateExpression=update,
                ConditionExpression=f"attribute_exists(#pk) AND ({condition})",
                ExpressionAttributeNames={"#pk": PARTITION_KEY, "#status": "status"},
                ExpressionAttributeValues={":now": s(moment(self._clock.now())), **values},
            )
        except BotoCoreError as exc:
            raise StorageError(f"DynamoDB UpdateItem failed ({type(exc).__name__})") from exc

    # --- the worker side ----------------------------------------------------------------

    def process(self, user_id: str, job_id: str, seconds_left: float | None = None) -> Job:
        """Run a delivered job for one slice: claim it, run its handler, store the result or
        its checkpoint. A finished job is returned as it is; JobBusy while another worker holds
        it; any other exception leaves it to be retried (the message comes back), until
        MAX_ATTEMPTS. `seconds_left`: what the invocation can still spend, if it knows."""
        budget = (
            self.slice_seconds if seconds_left is None else min(self.slice_seconds, seconds_left)
        )
        deadline = time.monotonic() + budget
        job = self._claim(user_id, job_id)
        if job.status in FINISHED:
            return job
        if job.attempts > MAX_ATTEMPTS:
            status, progress = gave_up(job, RuntimeError("too many attempts"))
            return self._finish(job, status, progress)
        try:
            status, progress = execute(job, self._handlers, _Reporter(self, job, deadline))
        except Exception as error:
            if job.attempts < MAX_ATTEMPTS:
                self._release(job)  # so the message's next delivery can claim it at once
                raise
            status, progress = gave_up(job, error)
        if status == "queued":
            return self._continue(job, progress)
        return self._finish(job, status, progress)

    def _claim(self, user_id: str, job_id: str) -> Job:
        now = self._clock.now()
        try:
            self._update(
                user_id,
                job_id,
                "SET #status = :running, updated_at = :now, lease_until = :lease ADD attempts :one",
                "#status = :queued OR (#status = :running AND lease_until < :now)",
                {
                    ":running": s("running"),
                    ":queued": s("queued"),
                    ":lease": s(moment(now + LEASE)),
                    ":one": n(1),
                },
            )
        except ClientError as exc:
            if not _condition_failed(exc):
                raise StorageError(f"DynamoDB UpdateItem failed ({error_code(exc)})") from exc
            current = self.get(user_id, job_id)
            if current.status in FINISHED:
                return current
            raise JobBusy(f"job {job_id} is {current.status}") from exc
        return self.get(user_id, job_id)

    def _finish(self, job: Job, status: JobStatus, progress: JobData) -> Job:
        done = finished(job, status, progress, self._clock.now())
        update = "SET #status = :status, progress = :progress, updated_at = :now"
        values = {":status": s(status), ":progress": s(json.dumps(done.progress))}
        expires = expires_at(job.kind, done.updated_at)
        if expires is not None:
            update += f", {TTL_ATTRIBUTE} = :expires"
            values[":expires"] = n(expires)
        self._owned_update(done, update + " REMOVE lease_until", values)
        return done

    def _continue(self, job: Job, checkpoint: JobData) -> Job:
        """Store the checkpoint, queue the job again, then send its continuation message (a
        failed send fails this message, whose redelivery resumes the job instead)."""
        self._owned_update(
            job,
            "SET #status = :queued, progress = :progress, updated_at = :now "
            "REMOVE lease_until ADD attempts :back",
            {":queued": s("queued"), ":progress": s(json.dumps(checkpoint)), ":back": n(-1)},
        )
        queued = replace(job, status="queued", progress=dict(checkpoint), attempts=job.attempts - 1)
        self._send(queued)
        return queued

    def _release(self, job: Job) -> None:
        self._owned_update(
            job,
            "SET #status = :queued, updated_at = :now REMOVE lease_until",
            {":queued": s("queued")},
        )

    def report(self, job: Job, progress: JobData) -> None:
        lease = moment(self._clock.now() + LEASE)
        self._owned_update(
            job,
            "SET progress = :progress, updated_at = :now, lease_until = :lease",
            {":progress": s(json.dumps(progress)), ":lease": s(lease)},
        )

    def _owned_update(self, job: Job, update: str, values: dict[str, Any]) -> None:
        """Only while this attempt still owns the job (no other worker took it over)."""
        try:
            self._update(
                job.user_id,
                job.id,
                update,
                "#status = :claimed AND attempts = :attempt",
                {":claimed": s("running"), ":attempt": n(job.attempts), **values},
            )
        except ClientError as exc:
            if _condition_failed(exc):
                raise JobBusy(f"job {job.id} was taken over by another worker") from exc
            raise StorageError(f"DynamoDB UpdateItem failed ({error_code(exc)})") from exc


class _Reporter:
    def __init__(self, jobs: SqsJobs, job: Job, deadline: float) -> None:
        self._jobs, self._job, self._deadline = jobs, job, deadline

    def report(self, progress: JobData) -> None:
        self._jobs.report(self._job, progress)
        self._job = replace(self._job, progress=dict(progress))

    def out_of_time(self) -> bool:
        return time.monotonic() >= self._deadline


def handle_batch(
    jobs: SqsJobs, event: dict[str, Any], seconds_left: Callable[[], float] | None = None
) -> dict[str, Any]:
    """An SQS batch event: each message one job; failures reported per message (the queue's
    ReportBatchItemFailures), so one bad job does not make the others run again.
    `seconds_left`: the invocation's remaining time (the Lambda context's, less a margin)."""
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            left = seconds_left() if seconds_left else None
            jobs.process(str(body["user_id"]), str(body["job_id"]), left)
        except NotFound:
            continue  # the job is gone (its user was deleted): nothing to do, ever
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
