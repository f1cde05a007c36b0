"""Receipt use cases: an upload ticket, confirming what was uploaded, a view link, removal,
and garbage collection of files that no expense references."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ulid import ULID

from ..domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from ..domain.expense import Expense, Receipt, with_receipt
from ..domain.receipts import (
    MAX_RECEIPT_BYTES,
    TICKET_SECONDS,
    ReceiptKey,
    check_upload_request,
    not_a,
    parse_key,
    pending_key,
    receipt_key,
)
from ..ports import Clock, ExpenseStore, ReceiptInventory, ReceiptStore, UploadTicket
from .expenses import change_expense, get_expense
from .quota import Quota, check_room
from .receipt_images import clean_receipt

# Files younger than this may belong to an upload or a confirm still under way.
GC_GRACE = timedelta(seconds=TICKET_SECONDS + 60)


def request_upload(
    *,
    store: ExpenseStore,
    receipts: ReceiptStore,
    user_id: str,
    expense_id: str,
    content_type: str,
    size: int,
    quota: Quota | None = None,
) -> UploadTicket:
    """A ticket to upload exactly `size` bytes or fewer of one allowed type, if they fit the
    user's storage quota. The key comes from the signed-in user and the expense, never from
    the client."""
    declared = check_upload_request(content_type, size)
    # NotFound for a missing or another user's expense
    get_expense(store=store, user_id=user_id, expense_id=expense_id)
    pending = pending_key(user_id, expense_id)
    check_room(receipts, quota, user_id, size=size, field="size", besides=[pending])
    return receipts.upload_ticket(pending, declared, size)


def confirm_upload(
    *,
    store: ExpenseStore,
    receipts: ReceiptStore,
    clock: Clock,
    user_id: str,
    expense_id: str,
    quota: Quota | None = None,
) -> Expense:
    """Check the uploaded bytes (and that the clean copy fits the quota beside everything
    else the user keeps), keep the copy under a new key, attach it to the expense (one
    version later) and remove the upload and any receipt it replaces."""
    current = get_expense(store=store, user_id=user_id, expense_id=expense_id).receipt
    pending = pending_key(user_id, expense_id)
    replaced = [pending] + ([current.key] if current else [])
    uploaded = receipts.inspect(pending)
    if uploaded is None:
        raise Conflict("Nothing was uploaded for this expense; upload the file first")
    try:
        if uploaded.size > MAX_RECEIPT_BYTES:
            raise not_a(uploaded.content_type or "receipt")
        content_type, data = clean_receipt(receipts.read(pending), uploaded.content_type)
        check_room(receipts, quota, user_id, size=len(data), field="file", besides=replaced)
    except Invalid:  # over the quota too: an upload the user cannot keep is not kept
        receipts.delete(pending)  # refused bytes are not kept (a storage error keeps them)
        raise
    final = receipt_key(user_id, expense_id, str(ULID()))
    receipts.write(final, data, content_type)
    receipt = Receipt(content_type, len(data), clock.now(), final)
    try:
        before, after = _change_receipt(store, clock, user_id, expense_id, lambda _: receipt)
    except (NotFound, PreconditionFailed, Conflict):
        # Surely not attached. After any other failure the write may have landed; garbage
        # collection removes the file later if no expense references it.
        receipts.delete(final)
        raise
    receipts.delete(pending)
    if before.receipt is not None:
        receipts.delete(before.receipt.key)
    return after


def _change_receipt(
    store: ExpenseStore,
    clock: Clock,
    user_id: str,
    expense_id: str,
    change: Callable[[Expense], Receipt | None],
) -> tuple[Expense, Expense]:
    """Set the receipt on the current version, one version later (re-read on a race)."""
    return change_expense(
        store=store,
        user_id=user_id,
        expense_id=expense_id,
        change=lambda current: with_receipt(current, change(current), clock.now()),
    )


def view_receipt(
    *, store: ExpenseStore, receipts: ReceiptStore, user_id: str, expense_id: str
) -> str:
    """A short-lived link to the receipt."""
    receipt = get_expense(store=store, user_id=user_id, expense_id=expense_id).receipt
    if receipt is None:
        raise NotFound("This expense has no receipt")
    return receipts.view_url(receipt.key, receipt.content_type)


def delete_receipt(
    *, store: ExpenseStore, receipts: ReceiptStore, clock: Clock, user_id: str, expense_id: str
) -> Expense:
    """Detach the receipt (one version later), then remove its file."""

    def remove(current: Expense) -> None:
        if current.receipt is None:
            raise NotFound("This expense has no receipt")

    before, after = _change_receipt(store, clock, user_id, expense_id, remove)
    if before.receipt is not None:
        receipts.delete(before.receipt.key)
    return after


@dataclass(frozen=True)
class Collected:
    kept: int
    removed: list[str]
    unrecognised: int
    scratch: int


def collect_garbage(
    *, store: ExpenseStore, inventory: ReceiptInventory, clock: Clock, dry_run: bool = False
) -> Collected:
    """Remove receipt files nothing needs: uploads never confirmed (older than a ticket
    lives) and files no expense references (older than that too, so that a confirm in
    progress keeps its file). Keys that are not receipt keys are counted, not touched."""
    cutoff = clock.now() - GC_GRACE
    kept, removed, unrecognised = 0, [], 0
    for found in inventory.list_objects():
        parsed = parse_key(found.key)
        if parsed is None:
            unrecognised += 1
        elif found.modified >= cutoff or _referenced(store, parsed, found.key):
            kept += 1
        else:
            removed.append(found.key)
    if dry_run:
        return Collected(kept, removed, unrecognised, 0)
    for key in removed:
        inventory.delete(key)
    return Collected(kept, removed, unrecognised, inventory.sweep_scratch(cutoff))


def _referenced(store: ExpenseStore, parsed: ReceiptKey, key: str) -> bool:
    if parsed.is_pending:
        return False
    try:
        expense = store.get(parsed.user_id, parsed.expense_id)
    except NotFound:
        return False
    return expense.receipt is not None and expense.receipt.key == key
