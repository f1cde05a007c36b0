"""The jobs port on AWS: job records in the DynamoDB table, an SQS queue to the worker function.

Record: ``pk = USER#<sub>``, ``sk = JOB#<id>`` with kind, status, params and progress (JSON),
times, attempts and a lease. Enqueue is a conditional status update (waiting_upload ->
queued) and then a SendMessage; a queued job's message is sent again on a repeated start (a
lost send is repaired, a duplicate message is harmless). The worker claims a job by one
conditional update (queued, or running with an expired lease -> running, attempts + 1), so a
duplicate delivery never runs a job twice at the same time; a stale worker cannot overwrite
the result (its writes are conditioned on its attempt number).

Records of some kinds expire: a scan's (its photo is gone a day after, EXPIRE_AFTER) carries
the table's TTL attribute, set when it is made and again when it finishes."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import NotFound, StorageError
from ...domain.scans import SCAN_KIND, SCAN_RETENTION
from ...ports import Clock
from ...ports.jobs import FINISHED, Job, JobData, JobHandlers, JobStatus
from ...services.jobs import MAX_ATTEMPTS, execute, finished, gave_up
from .dynamodb_calls import query_pages, sdk_errors
from .dynamodb_codec import key, n, number, s, text, user_pk
from .dynamodb_schema import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from .errors import error_code

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

    from .dynamodb_codec import Item, ItemView

JOB_PREFIX = "JOB#"
LEASE = timedelta(minutes=16)  # longer than the worker function's 900 s timeout
_FAILED = "ConditionalCheckFailedException"
EXPIRE_AFTER = {SCAN_KIND: SCAN_RETENTION}  # kind -> how long after its last change


class JobBusy(Exception):
    """Another worker holds the job's lease: the message should come back later."""


def _moment(value: datetime) -> str:
    return value.isoformat()


def job_to_item(job: Job) -> Item:
    item = key(job.user_id, JOB_PREFIX + job.id)
    item.update(
        {
            "kind": s(job.kind),
            "status": s(job.status),
            "params": s(json.dumps(job.params)),
            "progress": s(json.dumps(job.progress)),
            "created_at": s(_moment(job.created_at)),
            "updated_at": s(_moment(job.updated_at)),
            "attempts": n(job.attempts),
        }
    )
    expires = expires_at(job.kind, job.updated_at)
    if expires is not None:
        item[TTL_ATTRIBUTE] = n(expires)
    return item


def expires_at(kind: str, changed: datetime) -> int | None:
    """The TTL (epoch seconds, rounded up) of a record of this kind last changed then."""
    keep = EXPIRE_AFTER.get(kind)
    return None if keep is None else math.ceil((changed + keep).timestamp())


def job_from_item(user_id: str, item: ItemView) -> Job:
    return Job(
        id=text(item, SORT_KEY).removeprefix(JOB_PREFIX),
        user_id=user_id,
        kind=text(item, "kind"),
        status=text(item, "status"),  # type: ignore[arg-type]
        params=json.loads(text(item, "params")),
        progress=json.loads(text(item, "progress")),
        created_at=datetime.fromisoformat(text(item, "created_at")),
        updated_at=datetime.fromisoformat(text(item, "updated_at")),
        attempts=number(item, "attempts"),
    )


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
    ) -> None:
        self._db, self._table, self._sqs, self._queue = dynamodb, table_name, sqs, queue_url
        self._clock = clock
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
                ExpressionAttributeValues={":now": s(_moment(self._clock.now())), **values},
            )
        except BotoCoreError as exc:
            raise StorageError(f"DynamoDB UpdateItem failed ({type(exc).__name__})") from exc

    # --- the worker side ----------------------------------------------------------------

    def process(self, user_id: str, job_id: str) -> Job:
        """Run a delivered job once: claim it, run its handler, store the result. A finished
        job is returned as it is; JobBusy while another worker holds it; any other exception
        leaves it to be retried (the message comes back), until MAX_ATTEMPTS."""
        job = self._claim(user_id, job_id)
        if job.status in FINISHED:
            return job
        if job.attempts > MAX_ATTEMPTS:
            status, progress = gave_up(job, RuntimeError("too many attempts"))
            return self._finish(job, status, progress)
        try:
            status, progress = execute(job, self._handlers, _Reporter(self, job))
        except Exception as error:
            if job.attempts < MAX_ATTEMPTS:
                self._release(job)  # so the message's next delivery can claim it at once
                raise
            status, progress = gave_up(job, error)
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
                    ":lease": s(_moment(now + LEASE)),
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

    def _release(self, job: Job) -> None:
        self._owned_update(
            job,
            "SET #status = :queued, updated_at = :now REMOVE lease_until",
            {":queued": s("queued")},
        )

    def report(self, job: Job, progress: JobData) -> None:
        lease = _moment(self._clock.now() + LEASE)
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
    def __init__(self, jobs: SqsJobs, job: Job) -> None:
        self._jobs, self._job = jobs, job

    def report(self, progress: JobData) -> None:
        self._jobs.report(self._job, progress)
        self._job = replace(self._job, progress=dict(progress))


def handle_batch(jobs: SqsJobs, event: dict[str, Any]) -> dict[str, Any]:
    """An SQS batch event: each message one job; failures reported per message (the queue's
    ReportBatchItemFailures), so one bad job does not make the others run again."""
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            body = json.loads(record["body"])
            jobs.process(str(body["user_id"]), str(body["job_id"]))
        except NotFound:
            continue  # the job is gone (its user was deleted): nothing to do, ever
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
