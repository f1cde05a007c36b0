"""Bank statements and exports as rows to import: one pure parser module per format.

Every parser takes a binary stream and yields, in file order, a `StatementRow` for each
transaction or a `LineError` naming the line that could not be read. Nothing here stores,
dedupes or categorises: the import service does that."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from ..csv_format import LineError

__all__ = ["FORMATS", "Direction", "LineError", "Outcome", "StatementFormat", "StatementRow"]

StatementFormat = Literal["csv", "ofx", "qif", "camt053", "mt940"]
FORMATS: tuple[StatementFormat, ...] = ("csv", "ofx", "qif", "camt053", "mt940")
# debit: money out (an expense); credit: money in; transfer: between the user's own accounts.
Direction = Literal["debit", "credit", "transfer"]
DESCRIPTION_LIMIT = 500  # the expense's description limit; bank memos are cut, not refused


@dataclass(frozen=True)
class StatementRow:
    line: int  # where the transaction starts in the file (1-based)
    date: date
    amount: Decimal  # always positive; `direction` says which way the money went
    direction: Direction
    currency: str | None  # None: the statement's or the user's default
    description: str
    category: str | None = None  # None: the rules decide
    bank_id: str | None = None  # the bank's transaction id (OFX FITID, CAMT AcctSvcrRef...)
    expense_id: str | None = None  # our own export's id


Outcome = StatementRow | LineError


def clip(text: str | None) -> str:
    """One line of text, at most the description limit (bank memos can be longer)."""
    return " ".join((text or "").split())[:DESCRIPTION_LIMIT]


def signed(amount: Decimal) -> tuple[Decimal, Direction]:
    """A signed statement amount as (positive amount, debit or credit): minus is money out."""
    return abs(amount), "debit" if amount < 0 else "credit"
