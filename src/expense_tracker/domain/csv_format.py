"""The export/import CSV format and its safety rules."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from .errors import Invalid
from .expense import Expense, ExpenseDraft, RawExpense, validate_draft

HEADER = (
    "id",
    "date",
    "amount",
    "currency",
    "category",
    "description",
    "receipt",
    "created_at",
    "updated_at",
)
REQUIRED_COLUMNS = ("date", "amount", "currency", "category")
MAX_REPORTED_ERRORS = 100  # the first ones are kept; the rest only counted (memory stays flat)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Stop spreadsheets from running a cell as a formula (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def unneutralise(cell: str) -> str:
    """Undo `neutralise` on import, so an export re-imports to the same text."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def utc_text(moment: object) -> str:
    text = moment.isoformat() if hasattr(moment, "isoformat") else str(moment)
    return text.replace("+00:00", "Z")


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


@dataclass(frozen=True)
class ParsedImport:
    drafts: list[tuple[int, ExpenseDraft]]
    errors: list[LineError]  # the first MAX_REPORTED_ERRORS
    error_count: int = 0  # all of them

    @classmethod
    def refused(cls, message: str) -> ParsedImport:
        return cls([], [LineError(1, message)], 1)


class _Errors:
    """The first MAX_REPORTED_ERRORS line errors, and how many there were in all."""

    def __init__(self) -> None:
        self.kept: list[LineError] = []
        self.count = 0

    def add(self, line: int, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_REPORTED_ERRORS:
            self.kept.append(LineError(line, message))


def expense_row(expense: Expense) -> list[str]:
    """One expense's cells of the export (the paged writer in export_rows does the same from
    flat rows; this one serves the CLI's export with a home-currency column)."""
    return [
        expense.id,
        expense.date.isoformat(),
        expense.amount_text,
        expense.currency,
        neutralise(expense.category),
        neutralise(expense.description),
        "true" if expense.receipt else "false",
        utc_text(expense.created_at),
        utc_text(expense.updated_at),
    ]


def parse_import(text: str, *, default_currency: str, today: date) -> ParsedImport:
    """Read a CSV in the export's format; report every bad line with its number."""
    # strict: a broken quote or a truncated file is an error, not a silently merged cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    drafts: list[tuple[int, ExpenseDraft]] = []
    errors = _Errors()
    try:
        columns = [c.strip().lstrip("\ufeff") for c in next(reader, [])]
        refusal = _header_problem(columns)
        if refusal:
            return ParsedImport.refused(refusal)
        for line, cells in _records(reader):
            if len(cells) > len(columns):
                errors.add(line, "more cells than columns")
                continue
            try:
                row = dict(zip(columns, cells, strict=False))
                drafts.append((line, _draft(row, default_currency, today)))
            except Invalid as exc:
                errors.add(line, "; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    except csv.Error as exc:
        # The csv module cannot resynchronise after this; say so rather than guess.
        errors.add(max(reader.line_num, 1), f"not valid CSV ({exc}); not read further")
    return ParsedImport(drafts, errors.kept, errors.count)


def _header_problem(columns: list[str]) -> str | None:
    """Why the header line is refused: a missing or a repeated column (which cell would count?)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return f"missing column(s): {', '.join(missing)}"
    repeated = [c for c, n in Counter(columns).items() if n > 1]
    if repeated:
        return f"duplicate column(s): {', '.join(repeated)}"
    return None


class _LineReader(Protocol):
    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...


def _records(reader: _LineReader) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on (a quoted cell may span lines)."""
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if cells:  # the csv module yields [] for a blank line
            yield line, cells


def _draft(row: dict[str, str], default_currency: str, today: date) -> ExpenseDraft:
    raw = RawExpense(
        amount=(row.get("amount") or "").strip() or None,
        currency=(row.get("currency") or "").strip() or None,
        category=unneutralise(row.get("category") or ""),
        description=unneutralise(row.get("description") or ""),
        date=(row.get("date") or "").strip(),
    )
    return validate_draft(raw, default_currency=default_currency, today=today)
