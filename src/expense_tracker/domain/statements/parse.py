"""One entry point over the per-format parsers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from . import LineError, Outcome, StatementFormat
from .camt053 import parse_camt053
from .csv_rows import ColumnMapping, parse_csv
from .ofx import parse_ofx
from .qif import parse_qif
from .mt940 import parse_mt940


def parse_statement(
    fmt: StatementFormat,
    stream: BinaryIO,
    *,
    mapping: ColumnMapping | None = None,
    day_first: bool = False,
) -> Iterator[Outcome]:
    """The file's rows and line errors in order. Text that is not UTF-8 ends the file with an
    error (the line is the last one read)."""
    produced = _parser(fmt, stream, mapping, day_first)
    last = 1
    try:
        for outcome in produced:
            last = outcome.line
            yield outcome
    except UnicodeDecodeError:
        yield LineError(last, "the file is not UTF-8 text; not read further")


def _parser(
    fmt: StatementFormat, stream: BinaryIO, mapping: ColumnMapping | None, day_first: bool
) -> Iterator[Outcome]:
    if fmt == "csv":
        return parse_csv(stream, mapping)
    if fmt == "ofx":
        return parse_ofx(stream)
    if fmt == "qif":
        return parse_qif(stream, day_first=day_first)
    if fmt == "camt053":
        return parse_camt053(stream)
    return parse_mt940(stream)
