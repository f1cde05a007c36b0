"""OFX and QFX statements (SGML v1 and XML v2), read with ofxtools.

ofxtools reads a whole file (its own tokenizer, no XML parser, so no entity expansion); OFX
files are a month or a year of one account, far from the 50 MiB cap."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from ofxtools.Parser import OFXTree

from . import LineError, Outcome, StatementRow, clip, signed

# Money moved between the user's own accounts: neither spent nor earned.
TRANSFER_TYPES = frozenset({"XFER"})
_STMTTRN = re.compile(rb"<STMTTRN>", re.IGNORECASE)
MESSAGE_LIMIT = 200


def parse_ofx(stream: BinaryIO) -> Iterator[Outcome]:
    data = stream.read()
    starts = _line_starts(data)
    try:
        tree = OFXTree()
        tree.parse(io.BytesIO(data))
        statements = tree.convert().statements
    except Exception as exc:  # ofxtools raises many kinds (ParseError, ValueError, KeyError...)
        detail = " ".join(str(exc).split())[:MESSAGE_LIMIT] or type(exc).__name__
        yield LineError(1, f"not valid OFX: {detail}")
        return
    index = 0
    for statement in statements:
        currency = str(statement.curdef or "") or None
        for transaction in statement.transactions:
            line = starts[index] if index < len(starts) else 1
            index += 1
            yield _row(line, transaction, currency)


def _line_starts(data: bytes) -> list[int]:
    """The line of each <STMTTRN>, in order: ofxtools keeps no positions."""
    return [data.count(b"\n", 0, match.start()) + 1 for match in _STMTTRN.finditer(data)]


def _row(line: int, transaction: Any, currency: str | None) -> Outcome:
    if transaction.trnamt is None or transaction.dtposted is None:
        return LineError(line, "the transaction has no amount or no date")
    amount, direction = signed(Decimal(transaction.trnamt))
    if str(transaction.trntype).upper() in TRANSFER_TYPES:
        direction = "transfer"
    own = transaction.currency.cursym if transaction.currency is not None else None
    name, memo = transaction.name or transaction.payee or "", transaction.memo or ""
    return StatementRow(
        line=line,
        date=transaction.dtposted.date(),
        amount=amount,
        direction=direction,
        currency=str(own or currency or "") or None,
        description=clip(f"{name} - {memo}" if name and memo else name or memo),
        bank_id=str(transaction.fitid) if transaction.fitid else None,
    )
