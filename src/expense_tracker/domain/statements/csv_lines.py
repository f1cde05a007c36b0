"""A CSV statement's text lines, read from the bytes with their byte offsets, so an import can
stop after any record and a later run can seek past what it read instead of parsing it again.

Lines end at LF, CRLF or a lone CR, as text mode with newline="" splits them (the csv module
needs their endings). UTF-8 cannot hold an LF or CR byte inside a character, so each line
decodes on its own; the head (the first SNIFF_BYTES and the rest of its line) decodes whole."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

BOM = b"\xef\xbb\xbf"
SKIP_CHUNK = 1024 * 1024


@dataclass
class Cursor:
    """Where the reading stands: the byte just past the last line handed out, and how many
    lines came before it. Given with a non-zero offset, reading resumes there."""

    offset: int = 0
    lines: int = 0


def read_head(stream: BinaryIO, size: int) -> bytes:
    """The first `size` bytes and the rest of their line (the delimiter is guessed from it)."""
    return stream.read(size) + stream.readline()


def head_text(head: bytes) -> str:
    """The head as text (a UnicodeDecodeError propagates), without a byte-order mark."""
    return head.removeprefix(BOM).decode("utf-8")


def text_lines(head: bytes, stream: BinaryIO, cursor: Cursor) -> Iterator[str]:
    """The lines from the cursor on (the head, then the stream read after it), moving the
    cursor past each line as it is handed out."""
    if cursor.offset:
        _skip_to(head, stream, cursor.offset)
        return _counted(_split(_rest(head[cursor.offset :], stream)), cursor)
    return _counted(_split(_rest(head, stream)), cursor, bom=head.startswith(BOM))


def _rest(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    yield from head.splitlines(keepends=True)  # bytes split at LF, CRLF and CR only
    yield from stream  # a binary stream yields LF-ended lines


def _split(raw_lines: Iterator[bytes]) -> Iterator[bytes]:
    """LF-ended lines cut after any lone CR too (a line may end with CR alone)."""
    for raw in raw_lines:
        cr = raw.find(b"\r")
        if cr == -1 or cr == len(raw) - 2:  # none, or the CR of a CRLF ending
            yield raw
        else:
            yield from raw.splitlines(keepends=True)


def _counted(raw_lines: Iterator[bytes], cursor: Cursor, *, bom: bool = False) -> Iterator[str]:
    if bom:  # the mark is bytes of the file (the offsets count it) but not text
        first = next(raw_lines, None)
        if first is None:
            return
        cursor.offset += len(first)
        cursor.lines += 1
        yield first.removeprefix(BOM).decode("utf-8")
    for raw in raw_lines:
        cursor.offset += len(raw)
        cursor.lines += 1
        yield raw.decode("utf-8")


def _skip_to(head: bytes, stream: BinaryIO, offset: int) -> None:
    """Move the stream to `offset` when it lies past the head (seek, or read and drop)."""
    if offset <= len(head):
        return
    if stream.seekable():
        stream.seek(offset)
        return
    left = offset - len(head)
    while left > 0:
        chunk = stream.read(min(left, SKIP_CHUNK))
        if not chunk:
            return
        left -= len(chunk)
