"""The per-user storage quota, counted from the receipt store itself (no running total that
could drift): a user's receipts, uploads awaiting confirmation, scan photos and import
statements. Checked twice: when an upload ticket is asked for (the size it allows) and when
the upload is confirmed (the size that arrived). Uploads never confirmed expire once their
ticket has: the next ticket of their user removes them, and so does a periodic sweep."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.errors import FieldError, FileTooLarge, NotFound, QuotaExceeded
from ..domain.imports import IMPORT_KIND
from ..domain.receipts import TICKET_SECONDS
from ..ports import Clock, ObjectInfo, ReceiptStore
from ..ports.jobs import Jobs

COUNTED = ("receipts", "scans", "imports")  # exports are a day's download, not the user's
PENDING_NAMES = {"receipts": "pending", "scans": "pending", "imports": "statement"}
# An upload may land up to the ticket's last second; a confirm may still be reading it.
PENDING_LIFETIME = timedelta(seconds=TICKET_SECONDS + 60)


@dataclass(frozen=True)
class Quota:
    """What the checks need: the limit, and the jobs that say whether a statement is still
    waiting for its import (a started import's statement is the job's, not an upload's)."""

    limit: int
    jobs: Jobs
    clock: Clock


def user_prefix(user_id: str) -> str:
    return f"users/{user_id}/"


def _parts(key: str) -> list[str] | None:
    parts = key.split("/")
    if len(parts) != 5 or parts[0] != "users" or parts[2] not in COUNTED:
        return None
    return parts


def _expired_upload(found: ObjectInfo, quota: Quota, cutoff: datetime) -> bool:
    """An upload never confirmed whose ticket is over (an import's statement only while its
    job still waits for it: a queued import reads it later)."""
    parts = _parts(found.key)
    if parts is None or parts[4] != PENDING_NAMES[parts[2]] or found.modified >= cutoff:
        return False
    if parts[2] != "imports":
        return True
    try:
        job = quota.jobs.get(parts[1], parts[3])
    except NotFound:
        return True
    return job.kind == IMPORT_KIND and job.status == "waiting_upload"


def expire_uploads(receipts: ReceiptStore, quota: Quota, objects: Iterable[ObjectInfo]) -> int:
    """Remove the expired uploads among `objects`; how many."""
    cutoff = quota.clock.now() - PENDING_LIFETIME
    removed = 0
    for found in objects:
        if _expired_upload(found, quota, cutoff):
            receipts.delete(found.key)
            removed += 1
    return removed


def sweep_expired_uploads(receipts: ReceiptStore, quota: Quota) -> int:
    """Every user's expired uploads (the local server's periodic sweep)."""
    return expire_uploads(receipts, quota, list(receipts.list_objects("users/")))


def used_bytes(
    receipts: ReceiptStore, quota: Quota, user_id: str, *, besides: Collection[str]
) -> int:
    """What the user keeps now, but the objects at `besides` (about to be replaced); expired
    uploads found on the way are removed, not counted."""
    cutoff = quota.clock.now() - PENDING_LIFETIME
    used = 0
    for found in receipts.list_objects(user_prefix(user_id)):
        if _parts(found.key) is None or found.key in besides:
            continue
        if _expired_upload(found, quota, cutoff):
            receipts.delete(found.key)
        else:
            used += found.size
    return used


def check_room(
    receipts: ReceiptStore,
    quota: Quota | None,
    user_id: str,
    *,
    size: int,
    field: str,
    besides: Collection[str] = (),
) -> None:
    """FileTooLarge (413) when `size` alone passes the quota, QuotaExceeded (507) when it
    does not fit beside what the user keeps; `field` is the one named."""
    if quota is None:
        return
    if size > quota.limit:
        raise FileTooLarge(FieldError(field, f"is larger than the storage quota of "
                                             f"{quota.limit} bytes"))  # fmt: skip
    used = used_bytes(receipts, quota, user_id, besides=besides)
    if used + size > quota.limit:
        left = max(0, quota.limit - used)
        raise QuotaExceeded(
            FieldError(
                field,
                f"needs {size} bytes; {left} of the {quota.limit}-byte storage "
                "quota are left: delete receipts to make room",
            )  # fmt: skip
        )
