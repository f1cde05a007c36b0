"""The plans port in memory: the reference the contract suite holds the others to."""

from __future__ import annotations

import threading
from dataclasses import replace

from ..domain.errors import NotFound, PreconditionFailed
from ..ports.plans import PlanRecord

NOT_FOUND = "No such record"
CHANGED = "The record was changed by someone else"


class MemoryPlans:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str, str], PlanRecord] = {}
        self._owners: dict[str, set[str]] = {}

    def create(self, records: list[PlanRecord]) -> bool:
        keys = [(r.user_id, r.kind, r.id) for r in records]
        with self._lock:
            if len(set(keys)) != len(keys) or any(k in self._records for k in keys):
                return False
            for key, record in zip(keys, records, strict=True):
                self._records[key] = replace(record, body=dict(record.body))
                self._owners.setdefault(record.kind, set()).add(record.user_id)
        return True

    def get(self, user_id: str, kind: str, record_id: str) -> PlanRecord:
        with self._lock:
            found = self._records.get((user_id, kind, record_id))
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    def records(
        self, user_id: str, kind: str, limit: int, after: str | None = None
    ) -> list[PlanRecord]:
        with self._lock:
            mine = [
                r
                for (u, k, i), r in self._records.items()
                if u == user_id and k == kind and (after is None or i > after)
            ]
        return sorted(mine, key=lambda r: r.id)[:limit]

    def replace(self, record: PlanRecord, expected_version: int) -> PlanRecord:
        key = (record.user_id, record.kind, record.id)
        with self._lock:
            current = self._records.get(key)
            if current is None:
                raise NotFound(NOT_FOUND)
            if current.version != expected_version:
                raise PreconditionFailed(CHANGED)
            self._records[key] = replace(record, body=dict(record.body))
        return record

    def delete(self, user_id: str, kind: str, record_id: str) -> None:
        with self._lock:
            if self._records.pop((user_id, kind, record_id), None) is None:
                raise NotFound(NOT_FOUND)

    def owners(self, kind: str, limit: int, after: str | None = None) -> list[str]:
        with self._lock:
            users = sorted(self._owners.get(kind, set()))
        return [u for u in users if after is None or u > after][:limit]

    def forget(self, user_id: str) -> None:
        with self._lock:
            for key in [k for k in self._records if k[0] == user_id]:
                del self._records[key]
            for users in self._owners.values():
                users.discard(user_id)
