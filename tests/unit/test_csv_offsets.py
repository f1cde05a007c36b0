"""A CSV statement read from a byte offset: the rows and line numbers after any record are
the ones a read from the start gives, whatever the line endings."""

from __future__ import annotations

import io

import pytest

from expense_tracker.domain.statements import LineError, Outcome
from expense_tracker.domain.statements.csv_lines import Cursor
from expense_tracker.domain.statements.csv_rows import parse_csv

HEADER = "date,amount,currency,category,description"
ROWS = [
    "2026-11-01,1.00,EUR,Food,one",
    '2026-11-02,2.00,EUR,Food,"two, quoted\nover two lines"',
    "2026-11-03,3.00,EUR,Food,caf\u00e9",
    "2026-11-04,x,EUR,Food,bad amount",
    "2026-11-05,5.00,EUR,Food,five",
]


def _file(ending: str, bom: bool = False) -> bytes:
    text = ending.join([HEADER, *ROWS]) + ending
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def _from(data: bytes, cursor: Cursor) -> list[tuple[Outcome, int, int]]:
    """Each outcome with the cursor just after it."""
    return [(o, cursor.offset, cursor.lines) for o in parse_csv(io.BytesIO(data), None, cursor)]


@pytest.mark.parametrize(("ending", "bom"), [("\n", False), ("\r\n", True), ("\r", False)])
def test_reading_from_after_any_row_gives_the_rest_as_from_the_start(
    ending: str, bom: bool
) -> None:
    data = _file(ending, bom)
    whole = _from(data, Cursor())
    assert [o.line for o, _, _ in whole] == [2, 3, 5, 6, 7]
    assert isinstance(whole[3][0], LineError)
    assert whole[-1][1] == len(data)
    for index, (_, offset, lines) in enumerate(whole):
        rest = _from(data, Cursor(offset, lines))
        assert [o for o, _, _ in rest] == [o for o, _, _ in whole[index + 1 :]]


def test_a_stream_that_cannot_seek_is_read_past_the_offset() -> None:
    data = _file("\n") + b"".join(
        f"2026-11-06,{i}.00,EUR,Food,r{i}\n".encode() for i in range(9000)
    )
    whole = _from(data, Cursor())
    _, offset, lines = whole[-3]
    assert offset > 64 * 1024  # past the head read ahead

    class Unseekable(io.BytesIO):
        def seekable(self) -> bool:
            return False

    rest = list(parse_csv(Unseekable(data), None, Cursor(offset, lines)))
    assert rest == [o for o, _, _ in whole[-2:]]
