"""Moving every account's data from one deployment to another (local <-> AWS), losslessly.

Accounts are matched by e-mail (user ids differ between identity providers); expenses keep
their ids, versions and timestamps; receipts are copied byte for byte under the new owner's
keys before the expense that references them is written; then the settings' plans (budgets,
recurring series, alerts) and import rules (migration_plans). Each kind is one entry of KINDS.

Resumable and idempotent: a checkpoint records the kinds finished per account and the page
an unfinished kind got to; whatever a crash left half-done is found again and skipped (an
expense already there is kept, or replaced when the source has a newer version)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from ..domain.errors import Conflict, NotFound
from ..domain.expense import Expense, ExpenseFilter, Position
from ..domain.profile import ProfileChanges
from ..domain.receipts import parse_key, receipt_key
from ..ports import ExpenseStore, Profiles, ReceiptStore
from ..ports.imports import RuleStore
from ..ports.migration import AccountDirectory, Checkpoint
from ..ports.plans import PlanStore
from .migration_plans import copy_plans, copy_rules

PAGE = 200


@dataclass(frozen=True)
class Place:
    store: ExpenseStore
    receipts: ReceiptStore
    profiles: Profiles
    accounts: AccountDirectory
    plans: PlanStore
    rules: RuleStore


@dataclass(frozen=True)
class Move:
    """One account on its way: its e-mail and its user id on each side."""

    email: str
    source_id: str
    target_id: str
    source: Place
    target: Place
    checkpoint: Checkpoint


# A kind copies one account's data of its sort and returns how many items it wrote.
KindCopier = Callable[[Move], int]


def copy_profile(move: Move) -> int:
    """The settings: default and home currency, locale (setting them again changes nothing)."""
    profile = move.source.profiles.profile(move.source_id)
    changes = ProfileChanges(profile.default_currency, profile.home_currency, profile.locale)
    move.target.profiles.update_profile(move.target_id, changes)
    return 1


def copy_expenses(move: Move) -> int:
    """Page by page (newest first), each page's receipts, then the page; the position after
    each page is saved, so a resumed run starts at the page that was interrupted."""
    saved = move.checkpoint.position(move.email, "expenses")
    after = _position(saved) if saved else None
    written = 0
    while True:
        page = move.source.store.list_page(move.source_id, ExpenseFilter(), PAGE, after)
        written += _write(move.target.store, [_moved(e, move) for e in page.items])
        if page.next is None:
            return written
        after = page.next
        move.checkpoint.save_position(move.email, "expenses", f"{after.date}|{after.id}")


def copy_plan_records(move: Move) -> int:
    return copy_plans(move.source.plans, move.target.plans, move.source_id, move.target_id)


def copy_import_rules(move: Move) -> int:
    return copy_rules(move.source.rules, move.target.rules, move.source_id, move.target_id)


KINDS: tuple[tuple[str, KindCopier], ...] = (
    ("profile", copy_profile),
    ("expenses", copy_expenses),  # receipts travel with their expenses
    # After the expenses: a series arrives with its watermark past the occurrences moved.
    ("plans", copy_plan_records),  # budgets, recurring series, alerts
    ("rules", copy_import_rules),
)


@dataclass
class AccountResult:
    email: str
    created: bool
    copied: dict[str, int]


def migrate(
    source: Place,
    target: Place,
    checkpoint: Checkpoint,
    *,
    only: str | None = None,
    on_account: Callable[[AccountResult], None] = lambda _: None,
) -> list[AccountResult]:
    results = []
    for account in source.accounts.accounts():
        if only is not None and account.email != only:
            continue
        ensured = target.accounts.ensure(account.email)
        move = Move(account.email, account.user_id, ensured.user_id, source, target, checkpoint)
        result = AccountResult(account.email, ensured.created, {})
        for name, copy in KINDS:
            if checkpoint.is_done(account.email, name):
                continue
            result.copied[name] = copy(move)
            checkpoint.mark_done(account.email, name)
        on_account(result)
        results.append(result)
    return results


def _position(text: str) -> Position:
    day, _, expense_id = text.partition("|")
    return Position(date.fromisoformat(day), expense_id)


def _moved(expense: Expense, move: Move) -> Expense:
    """The expense as the target's user owns it, its receipt copied first when missing."""
    receipt = expense.receipt
    if receipt is None:
        return replace(expense, user_id=move.target_id)
    parsed = parse_key(receipt.key)
    name = parsed.name if parsed is not None else "migrated"
    key = receipt_key(move.target_id, expense.id, name)
    there = move.target.receipts.inspect(key)
    if there is None or there.size != receipt.size:
        data = move.source.receipts.read(receipt.key)
        move.target.receipts.write(key, data, receipt.content_type)
    return replace(expense, user_id=move.target_id, receipt=replace(receipt, key=key))


def _write(store: ExpenseStore, expenses: list[Expense]) -> int:
    """All at once when none is there yet; else one by one, skipping what is there already
    unless the source's version is newer."""
    if not expenses:
        return 0
    try:
        store.add_many(expenses)
        return len(expenses)
    except Conflict:
        pass
    written = 0
    for expense in expenses:
        try:
            current = store.get(expense.user_id, expense.id)
        except NotFound:
            store.add_many([expense])
            written += 1
            continue
        if current.version < expense.version:
            store.replace(expense, current.version)
            written += 1
    return written
