"""In-memory import ledger and rules: the reference for the contract suite."""

from __future__ import annotations

import threading

from ..domain.errors import NotFound, PreconditionFailed
from ..domain.imports import Rule
from ..ports.imports import BatchResult, KeyedExpense, RulePage
from .memory import MemoryExpenseStore


class MemoryImportLedger:
    batch_rows = 200  # as SQLite

    def __init__(self, store: MemoryExpenseStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._keys: dict[tuple[str, str], tuple[str, str]] = {}  # -> (job id, expense id)

    def add_batch(self, user_id: str, job_id: str, rows: list[KeyedExpense]) -> BatchResult:
        with self._lock:
            added, duplicates, fresh = 0, 0, []
            for row in rows:
                found = self._keys.get((user_id, row.key))
                if found is not None and found[0] == job_id:
                    added += 1  # stored by an earlier attempt of this job
                elif found is not None or self._exists(user_id, row.expense.id):
                    duplicates += 1
                else:
                    fresh.append(row)
                    added += 1
            self._store.add_many([r.expense for r in fresh])
            for row in fresh:
                self._keys[(user_id, row.key)] = (job_id, row.expense.id)
            return BatchResult(added, duplicates)

    def _exists(self, user_id: str, expense_id: str) -> bool:
        try:
            self._store.get(user_id, expense_id)
        except NotFound:
            return False
        return True

    def discard(self, user_id: str, job_id: str) -> int:
        with self._lock:
            mine = [k for k, v in self._keys.items() if k[0] == user_id and v[0] == job_id]
            removed = 0
            for key in mine:
                _, expense_id = self._keys.pop(key)
                if self._exists(user_id, expense_id):
                    self._store.delete(user_id, expense_id)
                    removed += 1
            return removed


class MemoryRuleStore:
    def __init__(self) -> None:
        self._rules: dict[tuple[str, str], Rule] = {}

    def add(self, rule: Rule) -> Rule:
        self._rules[(rule.user_id, rule.id)] = rule
        return rule

    def all(self, user_id: str) -> list[Rule]:
        return sorted((r for (u, _), r in self._rules.items() if u == user_id), key=_by_id)

    def list_page(self, user_id: str, limit: int, after: str | None) -> RulePage:
        rest = [r for r in self.all(user_id) if after is None or r.id > after]
        items = rest[:limit]
        return RulePage(items, items[-1].id if len(rest) > limit else None)

    def get(self, user_id: str, rule_id: str) -> Rule:
        found = self._rules.get((user_id, rule_id))
        if found is None:
            raise NotFound("No such rule")
        return found

    def replace(self, rule: Rule, expected_version: int) -> Rule:
        if self.get(rule.user_id, rule.id).version != expected_version:
            raise PreconditionFailed("The rule was changed by someone else")
        self._rules[(rule.user_id, rule.id)] = rule
        return rule

    def delete(self, user_id: str, rule_id: str) -> None:
        self.get(user_id, rule_id)
        del self._rules[(user_id, rule_id)]


def _by_id(rule: Rule) -> str:
    return rule.id
