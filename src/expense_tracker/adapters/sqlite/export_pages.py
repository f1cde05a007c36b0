"""The SQLite export's pages of finished text (export_sql builds each line in SQL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date

from ...domain.expense import ExpenseFilter, Position
from ...domain.export_rows import ExportFormat
from .db import storage_errors
from .export_sql import CSV_SELECT, JSON_SELECT
from .queries import list_query, search_order

TEXT_PAGE = 1000  # rows per block of export text: about 120 KB of CSV, 280 KB of JSON


def text_pages(
    connection: Callable[[], sqlite3.Connection],
    user_id: str,
    filters: ExpenseFilter,
    fmt: ExportFormat,
) -> Iterator[list[str]]:
    """Finished lines (CSV) or records (JSON), TEXT_PAGE at a time in the list's order. Keyset
    pages, each its own short read on the calling thread's connection: no cursor stays open
    between pages (a streaming response pulls them from any thread of the pool)."""
    select = CSV_SELECT if fmt == "csv" else JSON_SELECT
    after: Position | None = None
    with storage_errors("export expenses"):
        order = search_order(connection(), user_id, filters)
    while True:
        sql, params = list_query(user_id, filters, TEXT_PAGE, after, select, order)
        with storage_errors("export expenses"):
            cursor = connection().cursor()
            cursor.row_factory = None  # plain tuples
            rows = cursor.execute(sql, params).fetchall()
        if rows:
            yield [row[0] for row in rows]
        if len(rows) < TEXT_PAGE:
            return
        after = Position(date.fromisoformat(rows[-1][1]), rows[-1][2])
