"""The job record on the DynamoDB table: ``pk = USER#<sub>``, ``sk = JOB#<id>`` with kind,
status, params and progress (JSON), times and attempts (sqs_jobs adds the lease)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from ...ports.jobs import Job
from .dynamodb_codec import key, n, number, s, text
from .dynamodb_schema import SORT_KEY

if TYPE_CHECKING:
    from .dynamodb_codec import Item, ItemView

JOB_PREFIX = "JOB#"


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
    return item


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
