"""Reading a statement's bytes as text, one line at a time, with the line numbers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from ..errors import FieldError, Invalid

ENCODING = "utf-8-sig"  # a byte-order mark is dropped
_AMOUNT_CHARS = frozenset("0123456789.-+")


@contextmanager
def text_stream(stream: BinaryIO, newline: str | None = "") -> Iterator[io.TextIOWrapper]:
    """Decoded as it is read (universal newlines off by default, so the csv module sees every
    quote). Detached afterwards: the caller owns the binary stream and closes it."""
    wrapper = io.TextIOWrapper(stream, encoding=ENCODING, newline=newline)
    try:
        yield wrapper
    finally:
        with suppress(ValueError):  # already closed by its owner
            wrapper.detach()


def numbered_lines(stream: BinaryIO) -> Iterator[tuple[int, str]]:
    """(line number, line without its ending). A UnicodeDecodeError propagates."""
    with text_stream(stream, newline=None) as reader:
        for number, line in enumerate(reader, start=1):
            yield number, line.rstrip("\r\n")


def decimal_text(text: str, decimal: str = ".") -> Decimal:
    """An amount as banks write it: thousands separators, spaces, a comma for the decimal
    point where the locale says so. Invalid naming `amount` for anything else."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("\u2212", "-")
    grouping = "." if decimal == "," else ","
    cleaned = cleaned.replace(grouping, "").replace(decimal, ".")
    if not cleaned or not set(cleaned) <= _AMOUNT_CHARS:
        raise Invalid(FieldError("amount", f"{text.strip()!r} is not an amount"))
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise Invalid(FieldError("amount", f"{text.strip()!r} is not an amount")) from exc
