"""QIF statements, one transaction (section up to `^`) at a time through quiffen.

quiffen's own whole-file parser keeps no line numbers, so the sections are cut here and each is
read by quiffen's Transaction parser. A split transaction becomes one row per split (its
amount and category). Dates are month first unless `day_first` (the user's locale)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from quiffen.core.transaction import Transaction

from . import LineError, Outcome, StatementRow, clip, signed
from .text import numbered_lines

# Sections of these types are not transactions of a money account (categories, classes...).
_SKIPPED_TYPES = ("!type:cat", "!type:class", "!type:memorized", "!type:security", "!type:prices")
_OPTION = "!"


def parse_qif(stream: BinaryIO, *, day_first: bool = False) -> Iterator[Outcome]:
    section: list[str] = []
    start, skipping = 0, False
    for number, line in numbered_lines(stream):
        if line.startswith(_OPTION):
            skipping = line.strip().lower().startswith(_SKIPPED_TYPES)
            continue
        if line.strip() == "^":
            if section and not skipping:
                yield from _transaction(start, section, day_first)
            section = []
        elif line.strip():
            if not section:
                start = number
            section.append(line)
    if section and not skipping:
        yield LineError(start, "the last transaction does not end with ^")


def _transaction(line: int, section: list[str], day_first: bool) -> Iterator[Outcome]:
    try:
        transaction, _ = Transaction.from_list(section, day_first=day_first)
    except Exception as exc:  # quiffen raises ValueError, pydantic's ValidationError...
        yield LineError(line, _reason(exc))
        return
    if transaction.amount is None:
        yield LineError(line, "the transaction has no amount (T line)")
        return
    payee, memo = transaction.payee or "", transaction.memo or ""
    base = clip(f"{payee} - {memo}" if payee and memo else payee or memo)
    if transaction.to_account is not None:  # L[Account]: a transfer
        yield _row(line, transaction, Decimal(transaction.amount), base, None, transfer=True)
        return
    splits = transaction.splits or []
    if not splits:
        category = _category(transaction.category)
        yield _row(line, transaction, Decimal(transaction.amount), base, category)
        return
    for split in splits:
        text = clip(f"{base} - {split.memo}") if split.memo else base
        amount = Decimal(split.amount or 0)
        yield _row(line, transaction, amount, text, _category(split.category))


def _row(
    line: int,
    transaction: Any,
    signed_amount: Decimal,
    description: str,
    category: str | None,
    *,
    transfer: bool = False,
) -> StatementRow:
    amount, direction = signed(signed_amount)
    return StatementRow(
        line=line,
        date=transaction.date.date(),
        amount=amount,
        direction="transfer" if transfer else direction,
        currency=None,
        description=description,
        category=category,
        bank_id=None,
    )


def _category(category: Any) -> str | None:
    if category is None:
        return None
    return str(category.hierarchy or category.name)[:64] or None


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidOperation):
        return "not a valid QIF transaction: an amount (T, $ line) is not a number"
    text = " ".join(str(exc).split())[:200]
    return f"not a valid QIF transaction: {text}" if text else "not a valid QIF transaction"
