"""CSV statements: our own export's layout, or any CSV with a column mapping the user picks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO, Literal

from ..csv_format import REQUIRED_COLUMNS, unneutralise
from ..errors import FieldError, Invalid
from . import LineError, Outcome, StatementRow, clip
from .csv_lines import Cursor, head_text, read_head, text_lines
from .text import decimal_text

SNIFF_BYTES = 64 * 1024
ISO_DAY = "%Y-%m-%d"
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _no_day() -> date:
    raise ValueError("not YYYY-MM-DD")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds what, and how the bank writes dates and amounts."""

    date: str
    amount: str
    description: str | None = None
    currency: str | None = None
    category: str | None = None
    date_format: str = ISO_DAY  # strptime codes, e.g. %d.%m.%Y or %m/%d/%Y
    decimal: Literal[".", ","] = "."
    expenses_are: Literal["negative", "positive"] = "negative"  # the sign of money out
    delimiter: str | None = None  # None: guessed from the first lines

    def columns(self) -> list[str]:
        named = [self.date, self.amount, self.description, self.currency, self.category]
        return [c for c in named if c]


def parse_csv(
    stream: BinaryIO, mapping: ColumnMapping | None = None, cursor: Cursor | None = None
) -> Iterator[Outcome]:
    """Rows of our export (every row an expense), or of a mapped bank CSV. `cursor` follows
    the reading (the byte offset past each row handed out); given with an offset, the rows
    start there (the header is read again from the head, the rows before it are not)."""
    cursor = cursor or Cursor()
    # The first bytes are read ahead to guess the delimiter: decoded whole, so a file that is
    # not UTF-8 there fails before any row.
    head = read_head(stream, SNIFF_BYTES)
    text = head_text(head)
    delimiter = (mapping.delimiter if mapping else ",") or _guess_delimiter(text)
    resuming = cursor.offset > 0
    base = cursor.lines
    lines = text_lines(head, stream, cursor)
    # strict: a broken quote is an error, not a silently merged cell
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        columns = [c.strip().lstrip("\ufeff") for c in next(header if resuming else reader, [])]
        wanted = mapping.columns() if mapping else list(REQUIRED_COLUMNS)
        missing = [c for c in wanted if c not in columns]
        if missing:
            yield LineError(1, f"missing column(s): {', '.join(missing)}")
            return
        start = base + reader.line_num + 1
        for cells in reader:
            line, start = start, base + reader.line_num + 1
            if cells:
                yield _row(line, columns, cells, mapping)
    except csv.Error as exc:
        yield LineError(max(base + reader.line_num, 1), f"not valid CSV ({exc}); not read further")


def _guess_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _row(line: int, columns: list[str], cells: list[str], mapping: ColumnMapping | None) -> Outcome:
    if len(cells) > len(columns):
        return LineError(line, "more cells than columns")
    cell = dict(zip(columns, cells, strict=False))
    try:
        return _mapped(line, cell, mapping) if mapping else _ours(line, cell)
    except Invalid as exc:
        return LineError(line, "; ".join(f"{e.field}: {e.message}" for e in exc.errors))


def _ours(line: int, cell: dict[str, str]) -> StatementRow:
    amount = decimal_text(cell.get("amount") or "")
    if amount <= 0:
        raise Invalid(FieldError("amount", "must be greater than 0"))
    return StatementRow(
        line=line,
        date=_day(cell.get("date") or "", ISO_DAY),
        amount=amount,
        direction="debit",
        currency=(cell.get("currency") or "").strip() or None,
        description=clip(unneutralise(cell.get("description") or "")),
        category=unneutralise(cell.get("category") or "").strip() or None,
        expense_id=(cell.get("id") or "").strip() or None,
    )


def _mapped(line: int, cell: dict[str, str], m: ColumnMapping) -> StatementRow:
    amount = decimal_text(cell[m.amount], m.decimal)
    money_out = amount < 0 if m.expenses_are == "negative" else amount > 0
    return StatementRow(
        line=line,
        date=_day(cell[m.date], m.date_format),
        amount=abs(amount),
        direction="debit" if money_out else "credit",
        currency=(cell[m.currency].strip().upper() or None) if m.currency else None,
        description=clip(cell[m.description]) if m.description else "",
        category=(cell[m.category].strip() or None) if m.category else None,
    )


def _day(text: str, pattern: str) -> date:
    try:
        if pattern == ISO_DAY:  # our export's dates: 20x faster than strptime
            return date.fromisoformat(text.strip()) if _ISO.fullmatch(text.strip()) else _no_day()
        return datetime.strptime(text.strip(), pattern).date()
    except ValueError as exc:
        raise Invalid(FieldError("date", f"{text.strip()!r} does not match {pattern}")) from exc
