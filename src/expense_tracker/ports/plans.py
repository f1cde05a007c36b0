"""The plans port: small per-user documents for budgets, recurring series and alerts.

One tiny document store serves the three resources (and their bookkeeping markers), so each
adapter (memory, SQLite table `plans`, DynamoDB items ``PLAN#<kind>#<id>``) is written once.
Bodies are JSON-able dicts; `version` starts at 1 and grows with every replace."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

BUDGET = "budget"
RECURRING = "recurring"
ALERT = "alert"
ALERT_MARK = "alert_mark"  # "this alert was raised once": never shown, never listed to users
SETTINGS = "settings"


@dataclass(frozen=True)
class PlanRecord:
    user_id: str
    kind: str
    id: str
    body: Mapping[str, object]
    version: int = 1


class PlanStore(Protocol):
    """Every method is scoped to one user: another user's record is NotFound."""

    def create(self, records: list[PlanRecord]) -> bool:
        """Insert all or none; False, writing nothing, when any (user, kind, id) exists."""
        ...

    def get(self, user_id: str, kind: str, record_id: str) -> PlanRecord:
        """Raises NotFound."""
        ...

    def records(
        self, user_id: str, kind: str, limit: int, after: str | None = None
    ) -> list[PlanRecord]:
        """Up to `limit` records of a kind in ascending id order, ids above `after`."""
        ...

    def replace(self, record: PlanRecord, expected_version: int) -> PlanRecord:
        """Write `record` (its version already bumped) if the stored one is at
        `expected_version`: PreconditionFailed otherwise, NotFound when gone."""
        ...

    def delete(self, user_id: str, kind: str, record_id: str) -> None:
        """Raises NotFound."""
        ...

    def owners(self, kind: str, limit: int, after: str | None = None) -> list[str]:
        """Users who ever created a record of `kind`, ascending (the scheduler's work list)."""
        ...
