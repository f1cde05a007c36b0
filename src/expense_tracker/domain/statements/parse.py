"""One entry point over the per-format parsers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from . import LineError, Outcome, StatementFormat
from .csv_lines import Cursor
from .csv_rows import ColumnMapping, parse_csv


def parse_statement(
    fmt: StatementFormat,
    stream: BinaryIO,
    *,
    mapping: ColumnMapping | None = None,
    day_first: bool = False,
    cursor: Cursor | None = None,
) -> Iterator[Outcome]:
    """The file's rows and line errors in order. Text that is not UTF-8 ends the file with an
    error (the line is the last one read). `cursor`: a CSV's byte offsets (csv_lines)."""
    produced = (
        parse_csv(stream, mapping, cursor) if fmt == "csv" else _parser(fmt, stream, day_first)
    )
    last = 1
    try:
        for outcome in produced:
            last = outcome.line
            yield outcome
    except UnicodeDecodeError:
        yield LineError(last, "the file is not UTF-8 text; not read further")


def _parser(fmt: StatementFormat, stream: BinaryIO, day_first: bool) -> Iterator[Outcome]:
    # The bank formats' libraries load when first needed: together they take seconds to
    # import, which neither the server's start nor a Lambda cold start should pay.
    if fmt == "ofx":
        from .ofx import parse_ofx

        return parse_ofx(stream)
    if fmt == "qif":
        from .qif import parse_qif

        return parse_qif(stream, day_first=day_first)
    if fmt == "camt053":
        from .camt053 import parse_camt053

        return parse_camt053(stream)
    from .mt940 import parse_mt940

    return parse_mt940(stream)
