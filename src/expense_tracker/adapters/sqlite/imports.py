"""The import ledger and the rules on SQLite (migration 3 in db.py).

A batch is one write transaction: its keys, its expenses and their monthly and daily totals
commit together, so a kill between batches leaves whole batches, each recognisable by its job
id. Duplicates are found by one indexed lookup per batch (its keys, its ids), not per row."""

from __future__ import annotations

import sqlite3

from ...domain.errors import NotFound, PreconditionFailed
from ...domain.expense import Expense
from ...domain.imports import Rule
from ...ports.imports import BatchResult, KeyedExpense, RulePage
from . import day_totals, totals
from .db import Database, storage_errors
from .queries import SELECT, insert_rows, row_expense, row_values


def _marks(count: int) -> str:
    return ", ".join("?" * count)


class SqliteImportLedger:
    batch_rows = 200  # one short transaction each: another writer waits for one at most

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_batch(self, user_id: str, job_id: str, rows: list[KeyedExpense]) -> BatchResult:
        if not rows:
            return BatchResult(0, 0)
        # Not fsynced: a lost batch is written again when the job reruns (its keys say which);
        # the job's end (SqliteJobs) is a durable commit, and it syncs the batches before it.
        with storage_errors("import the expenses"), self._db.write(durable=False) as conn:
            owners = self._key_owners(conn, user_id, [r.key for r in rows])
            taken = self._existing_ids(conn, user_id, [r.expense.id for r in rows])
            again = sum(1 for r in rows if owners.get(r.key) == job_id)
            fresh = [r for r in rows if r.key not in owners and r.expense.id not in taken]
            insert_rows(conn, [row_values(r.expense) for r in fresh])
            conn.executemany(
                "INSERT INTO import_keys (user_id, key, job_id, expense_id) VALUES (?, ?, ?, ?)",
                [(user_id, r.key, job_id, r.expense.id) for r in fresh],
            )
            _account(conn, [(r.expense, 1) for r in fresh])
        added = again + len(fresh)
        return BatchResult(added, len(rows) - added)

    @staticmethod
    def _key_owners(conn: sqlite3.Connection, user_id: str, keys: list[str]) -> dict[str, str]:
        found = conn.execute(
            "SELECT key, job_id FROM import_keys"
            f" WHERE user_id = ? AND key IN ({_marks(len(keys))})",
            (user_id, *keys),
        )
        return {row[0]: row[1] for row in found}

    @staticmethod
    def _existing_ids(conn: sqlite3.Connection, user_id: str, ids: list[str]) -> set[str]:
        found = conn.execute(
            f"SELECT id FROM expenses WHERE user_id = ? AND id IN ({_marks(len(ids))})",
            (user_id, *ids),
        )
        return {row[0] for row in found}

    def discard(self, user_id: str, job_id: str) -> int:
        with storage_errors("remove a failed import"), self._db.write() as conn:
            rows = conn.execute(
                f"{SELECT} WHERE user_id = ? AND id IN ("
                " SELECT expense_id FROM import_keys WHERE user_id = ? AND job_id = ?)",
                (user_id, user_id, job_id),
            ).fetchall()
            removed = [row_expense(row) for row in rows]
            conn.execute(  # one statement: the search triggers' FTS work stays in memory
                "DELETE FROM expenses WHERE user_id = ? AND id IN ("
                " SELECT expense_id FROM import_keys WHERE user_id = ? AND job_id = ?)",
                (user_id, user_id, job_id),
            )
            conn.execute(
                "DELETE FROM import_keys WHERE user_id = ? AND job_id = ?", (user_id, job_id)
            )
            _account(conn, [(e, -1) for e in removed])
        return len(removed)


def _account(conn: sqlite3.Connection, changes: list[tuple[Expense, int]]) -> None:
    """The monthly and daily running totals, as every other expense write moves them."""
    totals.apply(conn, totals.deltas(changes))
    day_totals.apply(conn, day_totals.deltas(changes))


_RULE_COLUMNS = "id, user_id, contains, category, version"


def _rule(row: sqlite3.Row) -> Rule:
    return Rule(row["id"], row["user_id"], row["contains"], row["category"], row["version"])


class SqliteRuleStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, rule: Rule) -> Rule:
        with storage_errors("add the rule"), self._db.write() as conn:
            conn.execute(
                f"INSERT INTO rules ({_RULE_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                (rule.id, rule.user_id, rule.contains, rule.category, rule.version),
            )
        return rule

    def _select(self, where: str, params: tuple[object, ...]) -> list[Rule]:
        with storage_errors("read the rules"):
            found = self._db.connection().execute(
                f"SELECT {_RULE_COLUMNS} FROM rules WHERE {where}", params
            )
            return [_rule(row) for row in found]

    def all(self, user_id: str) -> list[Rule]:
        return self._select("user_id = ? ORDER BY id", (user_id,))

    def list_page(self, user_id: str, limit: int, after: str | None) -> RulePage:
        rest = self._select(
            "user_id = ? AND id > ? ORDER BY id LIMIT ?", (user_id, after or "", limit + 1)
        )
        items = rest[:limit]
        return RulePage(items, items[-1].id if len(rest) > limit else None)

    def get(self, user_id: str, rule_id: str) -> Rule:
        found = self._select("user_id = ? AND id = ?", (user_id, rule_id))
        if not found:
            raise NotFound("No such rule")
        return found[0]

    def replace(self, rule: Rule, expected_version: int) -> Rule:
        with storage_errors("change the rule"), self._db.write() as conn:
            changed = conn.execute(
                "UPDATE rules SET contains = ?, category = ?, version = ? "
                "WHERE user_id = ? AND id = ? AND version = ?",
                (
                    rule.contains,
                    rule.category,
                    rule.version,
                    rule.user_id,
                    rule.id,
                    expected_version,
                ),
            ).rowcount
        if not changed:
            self.get(rule.user_id, rule.id)  # NotFound when gone
            raise PreconditionFailed("The rule was changed by someone else")
        return rule

    def delete(self, user_id: str, rule_id: str) -> None:
        with storage_errors("delete the rule"), self._db.write() as conn:
            gone = conn.execute(
                "DELETE FROM rules WHERE user_id = ? AND id = ?", (user_id, rule_id)
            ).rowcount
        if not gone:
            raise NotFound("No such rule")
