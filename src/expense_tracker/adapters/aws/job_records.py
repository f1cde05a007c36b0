"""The job record on the DynamoDB table: ``pk = USER#<sub>``, ``sk = JOB#<id>`` with kind,
status, params and progress (JSON), times and attempts (sqs_jobs adds the lease). Records of
some kinds expire: a scan's (its photo is gone a day after, EXPIRE_AFTER) carries the table's
TTL attribute, set when it is made and again when it finishes."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import TYPE_CHECKING

from ...domain.scans import SCAN_KIND, SCAN_RETENTION
from ...ports.jobs import Job
from .dynamodb_codec import key, n, number, s, text
from .dynamodb_schema import SORT_KEY, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from .dynamodb_codec import Item, ItemView

JOB_PREFIX = "JOB#"
EXPIRE_AFTER = {SCAN_KIND: SCAN_RETENTION}  # kind -> how long after its last change


def moment(value: datetime) -> str:
    return value.isoformat()


def job_to_item(job: Job) -> Item:
    item = key(job.user_id, JOB_PREFIX + job.id)
    item.update(
        {
            "kind": s(job.kind),
            "status": s(job.status),
            "params": s(json.dumps(job.params)),
            "progress": s(json.dumps(job.progress)),
            "created_at": s(moment(job.created_at)),
            "updated_at": s(moment(job.updated_at)),
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
