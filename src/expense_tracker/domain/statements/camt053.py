"""ISO 20022 CAMT.053 statements, read as a stream with defusedxml's parser.

Only one <Ntry> is built in memory at a time (the rest of the document is walked, not kept),
and DTDs and entities are refused, so entity expansion and external entities cannot happen.
A batched entry (several TxDtls) becomes one row per transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from . import Direction, LineError, Outcome, StatementRow, clip

CHUNK = 64 * 1024
BOOKED = "BOOK"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class _Entries:
    """The parser's target: builds each <Ntry> alone and keeps the account's currency."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = None
        self.ready: list[tuple[int, Element]] = []
        self.currency: str | None = None
        self._path: list[str] = []
        self._builder: TreeBuilder | None = None
        self._line = 0
        self._text = ""

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        self._path.append(name)
        self._text = ""
        if name == "Ntry" and self.parser is not None:
            self._builder, self._line = TreeBuilder(), self.parser.parser.CurrentLineNumber
        if self._builder is not None:
            self._builder.start(name, attrs)

    def end(self, tag: str) -> None:  # noqa: ARG002 (the name is on the path already)
        name = self._path.pop()  # == _local(tag): the parser checks that tags nest
        if self._builder is not None:
            self._builder.end(name)
            if name == "Ntry":
                self.ready.append((self._line, self._builder.close()))
                self._builder = None
        elif self._path[-2:] == ["Stmt", "Acct"] and name == "Ccy":
            self.currency = self._text.strip() or None

    def data(self, text: str) -> None:
        if self._builder is not None:
            self._builder.data(text)
        else:
            self._text += text[:64]

    def close(self) -> None:
        return None


def parse_camt053(stream: BinaryIO) -> Iterator[Outcome]:
    target = _Entries()
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    target.parser = parser
    try:
        while chunk := stream.read(CHUNK):
            parser.feed(chunk)
            yield from _drain(target)
        parser.close()
        yield from _drain(target)
    except ParseError as exc:
        yield LineError(exc.position[0], "not well-formed XML; not read further")
    except DefusedXmlException:
        line = parser.parser.CurrentLineNumber
        yield LineError(line, "DTDs and entities are not allowed in a statement")


def _drain(target: _Entries) -> Iterator[Outcome]:
    for line, entry in target.ready:
        yield from _entry(line, entry, target.currency)
    target.ready.clear()


@dataclass(frozen=True)
class _Entry:
    line: int
    day: date
    direction: Direction
    reference: str | None


def _entry(line: int, ntry: Element, currency: str | None) -> Iterator[Outcome]:
    if (ntry.findtext("Sts/Cd") or ntry.findtext("Sts") or BOOKED).strip() != BOOKED:
        return  # pending or informational entries are not on the account yet
    try:
        booked = ntry.findtext("BookgDt/Dt") or ntry.findtext("ValDt/Dt") or ""
        day = date.fromisoformat(booked.strip()[:10])
    except ValueError:
        yield LineError(line, "the entry has no booking date (BookgDt/Dt)")
        return
    indicator = (ntry.findtext("CdtDbtInd") or "").strip()
    if indicator not in ("DBIT", "CRDT"):
        yield LineError(line, "CdtDbtInd must be DBIT or CRDT")
        return
    direction: Direction = "debit" if indicator == "DBIT" else "credit"
    head = _Entry(line, day, direction, _text(ntry, "AcctSvcrRef"))
    details = ntry.findall("NtryDtls/TxDtls")
    if len(details) <= 1:
        yield _row(head, ntry.find("Amt"), details[0] if details else None, currency, None)
        return
    for index, tx in enumerate(details):
        amt = tx.find("AmtDtls/TxAmt/Amt")  # an Element with no children is falsy: no `or`
        yield _row(head, amt if amt is not None else tx.find("Amt"), tx, currency, index)


def _row(
    head: _Entry, amt: Element | None, tx: Element | None, currency: str | None, index: int | None
) -> Outcome:
    try:
        amount = Decimal((amt.text or "").strip()) if amt is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or amount <= 0:
        return LineError(head.line, "the entry has no valid amount (Amt)")
    return StatementRow(
        line=head.line,
        date=head.day,
        amount=amount,
        direction=head.direction,
        currency=(amt.get("Ccy") if amt is not None else None) or currency,
        description=_description(tx),
        bank_id=_bank_id(head.reference, tx, index),
    )


def _text(element: Element | None, path: str) -> str | None:
    value = (element.findtext(path) or "").strip() if element is not None else ""
    return value if value and value != "NOTPROVIDED" else None


def _bank_id(reference: str | None, tx: Element | None, index: int | None) -> str | None:
    """The transaction's own reference (AcctSvcrRef, else EndToEndId), else the entry's
    (with the transaction's place in a batch)."""
    own = _text(tx, "Refs/AcctSvcrRef") or _text(tx, "Refs/EndToEndId")
    if own:
        return own
    if reference and index is not None:
        return f"{reference}#{index}"
    return reference


def _description(tx: Element | None) -> str:
    if tx is None:
        return ""
    party = _text(tx, "RltdPties/Cdtr/Nm") or _text(tx, "RltdPties/Dbtr/Nm") or ""
    info = " ".join(t.strip() for t in (e.text or "" for e in tx.findall("RmtInf/Ustrd")) if t)
    return clip(f"{party} - {info}" if party and info else party or info)
