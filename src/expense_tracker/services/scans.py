"""Receipt scans: upload a photo, read it in a job, then add the expense it describes with
the photo attached as its receipt."""

from __future__ import annotations

from typing import Any

from ulid import ULID

from ..domain.errors import Conflict, Invalid, NotFound
from ..domain.expense import Expense, RawExpense, Receipt
from ..domain.receipt_fields import extract, group_rows
from ..domain.receipts import MAX_RECEIPT_BYTES, not_a, receipt_key
from ..domain.scans import (
    SCAN_KIND,
    SCAN_RETENTION,
    check_scan_request,
    fields_json,
    is_scan_key,
    scan_image_key,
    scan_upload_key,
)
from ..ports import Clock, ExpenseStore, Profiles, ReceiptInventory, ReceiptStore, UploadTicket
from ..ports.jobs import Job, JobData, JobFailed, JobReporter, Jobs
from ..ports.reader import ReceiptReader, UnreadableImage
from .expenses import add_expense
from .jobs import new_job
from .quota import Quota, check_room
from .receipt_images import clean_receipt
from .scan_images import upright_jpeg

USED = "This scan was already used for an expense"
EXPIRED = "This scan's photo was removed (unused for 24 hours): scan the receipt again"


def create_scan(
    *,
    jobs: Jobs,
    receipts: ReceiptStore,
    clock: Clock,
    user_id: str,
    content_type: str,
    size: int,
    quota: Quota | None = None,
) -> tuple[Job, UploadTicket]:
    """A scan waiting for its photo, and the ticket to upload it (if it fits the quota)."""
    declared = check_scan_request(content_type, size)
    check_room(receipts, quota, user_id, size=size, field="size")
    job = new_job(
        user_id=user_id,
        kind=SCAN_KIND,
        params={"content_type": declared},
        status="waiting_upload",
        now=clock.now(),
    )
    ticket = receipts.upload_ticket(scan_upload_key(user_id, job.id), declared, size)
    return jobs.create(job), ticket


def get_scan(*, jobs: Jobs, user_id: str, scan_id: str) -> Job:
    job = jobs.get(user_id, scan_id)
    if job.kind != SCAN_KIND:
        raise NotFound("scan")
    return job


def start_scan(
    *, jobs: Jobs, receipts: ReceiptStore, user_id: str, scan_id: str, quota: Quota | None = None
) -> Job:
    """Check the uploaded photo as a receipt is checked (type, size, pixels, GPS removed),
    keep the clean copy and queue the reading. Starting it again changes nothing."""
    job = get_scan(jobs=jobs, user_id=user_id, scan_id=scan_id)
    if job.status != "waiting_upload":
        return job
    pending = scan_upload_key(user_id, scan_id)
    uploaded = receipts.inspect(pending)
    if uploaded is None:
        raise Conflict("Nothing was uploaded for this scan; upload the photo first")
    declared = str(job.params["content_type"])
    try:
        if uploaded.size > MAX_RECEIPT_BYTES:
            raise not_a(declared)
        content_type, data = clean_receipt(receipts.read(pending), declared)
        check_room(receipts, quota, user_id, size=len(data), field="file", besides=[pending])
    except Invalid:
        receipts.delete(pending)  # refused bytes are not kept
        raise
    receipts.write(scan_image_key(user_id, scan_id), data, content_type)
    receipts.delete(pending)
    return jobs.enqueue(user_id, scan_id)


def run_scan(
    job: Job,
    reporter: JobReporter,
    *,
    receipts: ReceiptStore,
    reader: ReceiptReader,
    profiles: Profiles,
) -> JobData:
    """The job: read the photo and extract the fields. Adds nothing, so a retry is harmless."""
    del reporter  # one step: nothing to report before the result
    try:
        photo = receipts.read(scan_image_key(job.user_id, job.id))
    except NotFound as exc:
        raise JobFailed("The photo of this scan is gone") from exc
    try:
        text = reader.read(upright_jpeg(photo), "image/jpeg")
    except UnreadableImage as exc:
        raise JobFailed(f"The photo could not be read: {exc}") from exc
    fields = extract(
        group_rows(text.lines),
        default_currency=profiles.default_currency(job.user_id),
        locale=user_locale(profiles, job.user_id),
        hints=text.hints,
    )
    return {"fields": fields_json(fields), "confidence": dict(fields.confidence)}


def user_locale(profiles: Profiles, user_id: str) -> str:
    """The user's locale (BCP 47) where the profiles know one, else `en`."""
    lookup = getattr(profiles, "locale", None)  # the settings feature adds it to Profiles
    return str(lookup(user_id)) if callable(lookup) else "en"


def public_scan(job: Job) -> dict[str, Any]:
    done = job.status == "done"
    return {
        "id": job.id,
        "status": job.status,
        "fields": job.progress.get("fields") if done else None,
        "confidence": job.progress.get("confidence") if done else None,
    }


def add_scanned_expense(
    *,
    store: ExpenseStore,
    receipts: ReceiptStore,
    jobs: Jobs,
    clock: Clock,
    profiles: Profiles,
    user_id: str,
    scan_id: str,
    raw: RawExpense,
) -> Expense:
    """Add the expense (the fields the user checked) with the scan's photo as its receipt.
    The expense takes the scan's id, so a scan used twice is refused by the store itself."""
    job = get_scan(jobs=jobs, user_id=user_id, scan_id=scan_id)
    if job.status != "done":
        raise Conflict("This scan has not finished yet")
    photo_key = scan_image_key(user_id, scan_id)
    photo = receipts.inspect(photo_key)
    if photo is None:
        raise Conflict(USED if _used(store, user_id, scan_id) else EXPIRED)
    content_type = photo.content_type or str(job.params["content_type"])
    final = receipt_key(user_id, scan_id, str(ULID()))
    try:
        data = receipts.read(photo_key)
    except NotFound as exc:  # swept between the two reads
        raise Conflict(EXPIRED) from exc
    receipts.write(final, data, content_type)
    receipt = Receipt(content_type, photo.size, clock.now(), final)
    try:
        expense = add_expense(
            store=store,
            clock=clock,
            profiles=profiles,
            user_id=user_id,
            raw=raw,
            expense_id=scan_id,
            receipt=receipt,
        )
    except Conflict as exc:  # surely not added (after other failures it may have been)
        receipts.delete(final)
        raise Conflict(USED) from exc
    except Invalid:
        receipts.delete(final)
        raise
    receipts.delete(photo_key)
    return expense


def _used(store: ExpenseStore, user_id: str, scan_id: str) -> bool:
    try:
        store.get(user_id, scan_id)  # the expense a scan makes takes the scan's id
    except NotFound:
        return False
    return True


def expire_scan_photos(*, inventory: ReceiptInventory, clock: Clock) -> int:
    """Remove the uploads and photos of scans stored more than SCAN_RETENTION ago: a photo
    that an expense took was moved to the expense's receipt key already. A count."""
    cutoff = clock.now() - SCAN_RETENTION
    stale = [
        found.key
        for found in inventory.list_objects()
        if is_scan_key(found.key) and found.modified < cutoff
    ]
    for key in stale:
        inventory.delete(key)
    return len(stale)
