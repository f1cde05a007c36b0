"""Ports of the import feature: the ledger of imported rows (duplicate keys) and the rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.expense import Expense
from ..domain.imports import Rule


@dataclass(frozen=True)
class KeyedExpense:
    key: str  # the row's duplicate key (domain.imports: id_key, bank_key, content_key)
    expense: Expense
    # The id came with the row (our own export), so the user may have it already; the ids
    # the import makes are the job's own and need no look-up.
    id_from_file: bool = False


@dataclass(frozen=True)
class BatchResult:
    added: int  # stored now, or by an earlier attempt of the same job
    duplicates: int  # the key or the expense id was already there from something else


class ImportLedger(Protocol):
    # Rows per batch the import writes between checkpoints: a time slice is only checked
    # between batches, so a slow store (DynamoDB: ~45 rows per transaction) wants small ones.
    batch_rows: int

    def add_batch(self, user_id: str, job_id: str, rows: list[KeyedExpense]) -> BatchResult:
        """Store each row whose key is new, with the key tagged by the job, atomically per
        batch: a key stored by this job (an earlier attempt) counts as added again, one stored
        by anything else, or an expense id the user already has, as a duplicate."""
        ...

    def discard(self, user_id: str, job_id: str) -> int:
        """Remove every expense and key this job stored (a failed all-or-nothing import);
        how many expenses went."""
        ...


@dataclass(frozen=True)
class RulePage:
    items: list[Rule]
    next: str | None  # the last rule's id when more follow


class RuleStore(Protocol):
    """Scoped to one user: another user's rule is NotFound. Rules keep their order of
    creation (ids are time-sortable), the order they are tried in."""

    def add(self, rule: Rule) -> Rule: ...

    def list_page(self, user_id: str, limit: int, after: str | None) -> RulePage: ...

    def all(self, user_id: str) -> list[Rule]: ...

    def get(self, user_id: str, rule_id: str) -> Rule:
        """Raises NotFound."""
        ...

    def replace(self, rule: Rule, expected_version: int) -> Rule:
        """PreconditionFailed when the stored version is another, NotFound when gone."""
        ...

    def delete(self, user_id: str, rule_id: str) -> None:
        """Raises NotFound."""
        ...
