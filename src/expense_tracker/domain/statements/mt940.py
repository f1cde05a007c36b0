"""SWIFT MT940 statements through the mt-940 library.

The library reads a whole statement and keeps no positions, so the line of each :61: record is
found here; its :86: details may run over several lines (joined with spaces)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO

import mt940

from . import LineError, Outcome, StatementRow, clip, signed
from .text import ENCODING

_RECORD = re.compile(r"^:61:", re.MULTILINE)
_NO_REFERENCE = {"", "NONREF"}
_DETAIL_KEYS = ("transaction_details", "purpose", "applicant_name", "recipient_name")


def parse_mt940(stream: BinaryIO) -> Iterator[Outcome]:
    text = stream.read().decode(ENCODING)
    lines = [text.count("\n", 0, m.start()) + 1 for m in _RECORD.finditer(text)]
    try:
        transactions = mt940.models.Transactions()
        transactions.parse(text)
    except Exception as exc:  # the library raises ValueError, KeyError, RuntimeError...
        line = _failing_line(lines, len(transactions))
        yield LineError(line, f"not valid MT940: this record cannot be read ({type(exc).__name__})")
        return
    if len(transactions) != len(lines):
        yield LineError(_failing_line(lines, len(transactions)), "a :61: record is malformed")
        return
    for line, transaction in zip(lines, transactions, strict=True):
        yield _row(line, transaction.data)


def _failing_line(lines: list[int], parsed: int) -> int:
    return lines[parsed] if parsed < len(lines) else (lines[-1] if lines else 1)


def _row(line: int, data: dict[str, Any]) -> Outcome:
    money = data.get("amount")
    if money is None or data.get("date") is None:
        return LineError(line, "the :61: record has no amount or no date")
    amount, direction = signed(Decimal(money.amount))
    if str(data.get("status", "")).startswith("R"):  # a reversal gives money back
        direction = "credit" if direction == "debit" else "debit"
    details = " ".join(str(data[k]) for k in _DETAIL_KEYS if data.get(k))
    return StatementRow(
        line=line,
        date=data["date"],
        amount=amount,
        direction=direction,
        currency=str(money.currency or data.get("currency") or "") or None,
        description=clip(details or data.get("extra_details")),
        bank_id=_reference(data),
    )


def _reference(data: dict[str, Any]) -> str | None:
    for key in ("bank_reference", "customer_reference"):
        value = str(data.get(key) or "").strip()
        if value.upper() not in _NO_REFERENCE:
            return value
    return None
