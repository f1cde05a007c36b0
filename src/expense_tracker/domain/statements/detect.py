"""Which format a statement is in, from its first bytes."""

from __future__ import annotations

import re

from . import StatementFormat

HEAD_BYTES = 4096
_OFX = re.compile(rb"OFXHEADER\s*[:=]|<\?OFX\b|<OFX>", re.IGNORECASE)
_CAMT = re.compile(rb"camt\.053|<BkToCstmrStmt\b")
_QIF = re.compile(rb"^\s*!(?:Type|Account|Option|Clear)", re.IGNORECASE)
_MT940 = re.compile(rb"(?:^|\n)\s*(?:\{1:|:20:)")
_NAMES = {
    "csv": "CSV",
    "ofx": "OFX",
    "qif": "QIF",
    "camt053": "CAMT.053",
    "mt940": "MT940",
}


def detect_format(head: bytes) -> StatementFormat | None:
    """The format the bytes look like; "csv" for other text; None for binary junk."""
    head = head[:HEAD_BYTES].removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in head:
        return None
    if _OFX.search(head):
        return "ofx"
    if _CAMT.search(head):
        return "camt053"
    if _QIF.match(head):
        return "qif"
    if _MT940.search(head):
        return "mt940"
    return "csv"


def format_mismatch(declared: StatementFormat, head: bytes) -> str | None:
    """A clear message when the bytes are not the declared format, else None."""
    found = detect_format(head)
    if found is None:
        return "the file is not a text statement (it holds binary data)"
    if found != declared:
        return f"the file looks like {_NAMES[found]}, not {_NAMES[declared]}"
    return None
