"""The import ledger and the rules on SQLite (migration 3 in db.py).

A batch is one write transaction: its keys, its expenses and their monthly and daily totals
commit together, so a kill between batches leaves whole batches, each recognisable by its job
id. Duplicates are found by one indexed lookup per batch (its keys, its ids), not per row."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from ...domain.errors import Conflict, NotFound, PreconditionFailed
from ...domain.expense import Expense
from ...domain.imports import Rule
from ...ports.imports import BatchResult, KeyedExpense, RulePage
from ..memory import DUPLICATE_ID
from . import day_totals, totals
from .db import Database, storage_errors
from .queries import SELECT, STAGING, row_expense, row_values
from .totals import SPLIT

# A write transaction of an import is time-boxed, and it ends after the step in hand as soon as
# a request's write waits (Database.foreground_waiting), so a request waits for one step and a
# commit at most. Long transactions are far cheaper per row: each commit writes every index
# page it dirtied (random dates touch a page of the covering date index per row) and merges
# the FTS index (100k rows: 20 s of CPU in 500-row transactions, 8 s in 10,000-row ones).
TRANSACTION_BUDGET = 1.0
STEP_SECONDS = 0.02  # each step is one INSERT ... SELECT: FTS5 writes a segment per statement
# While requests write (Database.foreground_waiting: one waits, or did in the last second), steps
# shrink to this, so the next request's write waits a ms or two for the lock, not a whole step
# (the import is slower while requests write: they come first).
BUSY_STEP_SECONDS = 0.001
SETTLE_SECONDS = 0.1  # how often the import syncs and checkpoints the log itself
CACHE_KIB = 24 * 1024  # (the import's memory growth stays well under its 100 MiB target)
FIRST_STEP, MIN_STEP, MAX_STEP = 1000, 4, 5000  # at about 150 us a row, 4 rows fit BUSY_STEP


def _marks(count: int) -> str:
    return ", ".join("?" * count)


class SqliteImportLedger:
    batch_rows = 10_000  # rows per add_batch (a checkpoint); its transactions are time-boxed

    def __init__(self, db: Database, *, budget_seconds: float = TRANSACTION_BUDGET) -> None:
        self._db = db
        self._budget = budget_seconds
        self._step = FIRST_STEP  # rows per statement group, sized to fit the budget
        self._settled = time.monotonic()

    def add_batch(self, user_id: str, job_id: str, rows: list[KeyedExpense]) -> BatchResult:
        """In as many short transactions as the time box needs; a kill between two leaves
        whole steps, each tagged with the job, which a rerun counts as its own (added)."""
        added, done = 0, 0
        while done < len(rows):
            # Not fsynced: a lost step is written again when the job reruns (its keys say
            # which); the job's end (SqliteJobs) is a durable commit, and it syncs them too.
            with (
                storage_errors("import the expenses"),
                self._db.write(durable=False, background=True) as conn,
            ):
                # The job thread's own connection: a larger page cache than SQLite's 2 MiB, or
                # the random inserts into the key and search indexes miss it as they grow.
                conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
                began = time.monotonic()
                while done < len(rows):
                    step = rows[done : done + self._step]
                    started = time.monotonic()
                    added += self._store(conn, user_id, job_id, step)
                    done += len(step)
                    busy = self._db.foreground_waiting()
                    self._resize(len(step), time.monotonic() - started, busy)
                    if busy or time.monotonic() - began >= self._budget:
                        break
            if time.monotonic() - self._settled >= SETTLE_SECONDS:
                self._db.settle_background()
                self._settled = time.monotonic()
        return BatchResult(added, len(rows) - added)

    def _resize(self, rows: int, spent: float, busy: bool) -> None:
        """Steps of about STEP_SECONDS (BUSY_STEP_SECONDS while requests write), sized at once
        from the last step's rate: a request that starts waiting waits for one step (and the
        commit) at most."""
        target = BUSY_STEP_SECONDS if busy else STEP_SECONDS
        if spent > 0:
            self._step = max(MIN_STEP, min(MAX_STEP, int(rows * target / spent)))

    def _store(
        self, conn: sqlite3.Connection, user_id: str, job_id: str, rows: list[KeyedExpense]
    ) -> int:
        owners = self._key_owners(conn, user_id, [r.key for r in rows])
        # Only an id read from the file can be the user's already; the job's own are new.
        taken = self._existing_ids(conn, user_id, [r.expense.id for r in rows if r.id_from_file])
        again = sum(1 for r in rows if owners.get(r.key) == job_id)
        fresh = [r for r in rows if r.key not in owners and r.expense.id not in taken]
        if fresh:
            _insert_counted(conn, [row_values(r.expense) for r in fresh])
            conn.executemany(
                "INSERT INTO import_keys (user_id, key, job_id, expense_id) VALUES (?, ?, ?, ?)",
                [(user_id, r.key, job_id, r.expense.id) for r in fresh],
            )
        return again + len(fresh)

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
        if not ids:
            return set()
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


def _insert_counted(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """The rows through the connection's staging table, and their monthly and daily totals
    summed from it by SQLite (GROUP BY), not row by row in Python."""
    create, clear, stage, insert = STAGING
    conn.execute(create)
    conn.execute(clear)  # whatever a failed statement left
    conn.executemany(stage, rows)
    try:
        conn.execute(insert)
    except sqlite3.IntegrityError as exc:
        if exc.sqlite_errorname != "SQLITE_CONSTRAINT_PRIMARYKEY":
            raise
        raise Conflict(DUPLICATE_ID) from exc
    conn.execute(_GROW_MONTHS)
    conn.execute(_GROW_DAYS)
    conn.execute(clear)


# Adds only grow the buckets: no CHECK can fail, so an UPSERT is safe. SPLIT as in totals.py.
_GROW_TOTALS = (
    "INSERT INTO {table} (user_id, {period}, currency, category, minor_high, minor_low, count) "
    f"SELECT user_id, {{day}}, currency, category, SUM(amount_minor / {SPLIT}), "
    f"SUM(amount_minor % {SPLIT}), COUNT(*) FROM temp.expense_staging WHERE true "
    "GROUP BY 1, 2, 3, 4 "
    "ON CONFLICT (user_id, {period}, currency, category) DO UPDATE SET "
    "minor_high = minor_high + excluded.minor_high, minor_low = minor_low + excluded.minor_low, "
    "count = count + excluded.count"
)
_GROW_MONTHS = _GROW_TOTALS.format(
    table="month_totals", period="month", day="substr(spent_on, 1, 7)"
)
_GROW_DAYS = _GROW_TOTALS.format(table="day_totals", period="day", day="spent_on")


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
