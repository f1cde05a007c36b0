"""The plans port on SQLite: one row per document in `plans`, the body as JSON text."""

from __future__ import annotations

import json
import sqlite3

from ...domain.errors import NotFound, PreconditionFailed
from ...ports.plans import PlanRecord
from ..memory_plans import CHANGED, NOT_FOUND
from .db import Database, storage_errors

_SELECT = "SELECT user_id, kind, id, version, body FROM plans"


def _record(row: sqlite3.Row) -> PlanRecord:
    return PlanRecord(
        row["user_id"], row["kind"], row["id"], json.loads(row["body"]), row["version"]
    )


class SqlitePlans:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create(self, records: list[PlanRecord]) -> bool:
        rows = [(r.user_id, r.kind, r.id, r.version, json.dumps(dict(r.body))) for r in records]
        try:
            with storage_errors("save the record"), self._db.write() as conn:
                conn.executemany(
                    "INSERT INTO plans (user_id, kind, id, version, body) VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
        except Exception as exc:  # a clash on the key rolls the whole batch back
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                return False
            raise
        return True

    def get(self, user_id: str, kind: str, record_id: str) -> PlanRecord:
        with storage_errors("read the record"):
            row = (
                self._db.connection()
                .execute(
                    f"{_SELECT} WHERE user_id = ? AND kind = ? AND id = ?",
                    (user_id, kind, record_id),
                )
                .fetchone()
            )
        if row is None:
            raise NotFound(NOT_FOUND)
        return _record(row)

    def records(
        self, user_id: str, kind: str, limit: int, after: str | None = None
    ) -> list[PlanRecord]:
        with storage_errors("list records"):
            rows = (
                self._db.connection()
                .execute(
                    f"{_SELECT} WHERE user_id = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?",
                    (user_id, kind, after or "", limit),
                )
                .fetchall()
            )
        return [_record(row) for row in rows]

    def replace(self, record: PlanRecord, expected_version: int) -> PlanRecord:
        with storage_errors("change the record"), self._db.write() as conn:
            row = conn.execute(
                "SELECT version FROM plans WHERE user_id = ? AND kind = ? AND id = ?",
                (record.user_id, record.kind, record.id),
            ).fetchone()
            if row is None:
                raise NotFound(NOT_FOUND)
            if row["version"] != expected_version:
                raise PreconditionFailed(CHANGED)
            conn.execute(
                "UPDATE plans SET version = ?, body = ? WHERE user_id = ? AND kind = ? AND id = ?",
                (
                    record.version,
                    json.dumps(dict(record.body)),
                    record.user_id,
                    record.kind,
                    record.id,
                ),
            )
        return record

    def delete(self, user_id: str, kind: str, record_id: str) -> None:
        with storage_errors("delete the record"), self._db.write() as conn:
            gone = conn.execute(
                "DELETE FROM plans WHERE user_id = ? AND kind = ? AND id = ?",
                (user_id, kind, record_id),
            ).rowcount
        if not gone:
            raise NotFound(NOT_FOUND)

    def owners(self, kind: str, limit: int, after: str | None = None) -> list[str]:
        with storage_errors("list owners"):
            rows = (
                self._db.connection()
                .execute(
                    "SELECT DISTINCT user_id FROM plans WHERE kind = ? AND user_id > ? "
                    "ORDER BY user_id LIMIT ?",
                    (kind, after or "", limit),
                )
                .fetchall()
            )
        return [str(row[0]) for row in rows]
