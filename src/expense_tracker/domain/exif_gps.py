"""Remove the GPS block from EXIF data in place, without changing the file's size.

EXIF is a TIFF structure wherever it sits (a JPEG APP1 segment, a PNG eXIf chunk, a WebP EXIF
chunk, a HEIF item). Rewriting it in place, zeroing what it held, keeps every offset of the
surrounding container valid, so no image is re-encoded and nothing else changes."""

from __future__ import annotations

import struct

GPS_IFD_TAG = 0x8825
ENTRY = 12
MAX_IFDS = 8  # IFD0, IFD1 and a few more; a longer chain is a loop or an attack
# Bytes per value for each TIFF field type (1 BYTE ... 13 IFD, 16-18 BigTIFF).
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
TYPE_SIZES.update({16: 8, 17: 8, 18: 8})


class MalformedExif(ValueError):
    """The bytes do not hold a TIFF structure that can be walked safely."""


class _Tiff:
    """Bounds-checked reads and writes inside buf[start:end], at TIFF-relative offsets."""

    def __init__(self, buf: bytearray, start: int, end: int) -> None:
        self.buf, self.start, self.end = buf, start, end
        order = bytes(buf[start : start + 2])
        if order not in (b"II", b"MM"):
            raise MalformedExif("no TIFF byte-order mark")
        self.order = "<" if order == b"II" else ">"
        if self.u16(2) != 42:
            raise MalformedExif("no TIFF magic number")

    def at(self, offset: int, size: int) -> int:
        where = self.start + offset
        if offset < 0 or where + size > self.end:
            raise MalformedExif("offset outside the EXIF data")
        return where

    def u16(self, offset: int) -> int:
        value: int = struct.unpack_from(self.order + "H", self.buf, self.at(offset, 2))[0]
        return value

    def u32(self, offset: int) -> int:
        value: int = struct.unpack_from(self.order + "I", self.buf, self.at(offset, 4))[0]
        return value

    def zero(self, offset: int, size: int) -> None:
        where = self.at(offset, size)
        self.buf[where : where + size] = bytes(size)

    def entries(self, ifd: int) -> list[int]:
        """Offsets of the 12-byte entries of the IFD at `ifd`."""
        count = self.u16(ifd)
        self.at(ifd, 2 + count * ENTRY + 4)
        return [ifd + 2 + i * ENTRY for i in range(count)]


def scrub_gps(buf: bytearray, start: int, end: int | None = None) -> bool:
    """Remove every GPS IFD reachable from the IFD chain of the TIFF at buf[start:end].
    True when something was removed; MalformedExif when the structure cannot be trusted."""
    tiff = _Tiff(buf, start, len(buf) if end is None else end)
    ifd, seen, changed = tiff.u32(4), set[int](), False
    while ifd and ifd not in seen:
        if len(seen) == MAX_IFDS:
            raise MalformedExif("too many IFDs")
        seen.add(ifd)
        for entry in tiff.entries(ifd):
            if tiff.u16(entry) == GPS_IFD_TAG:
                _blank_ifd(tiff, tiff.u32(entry + 8))
                _drop_entry(tiff, ifd, entry)
                changed = True
                break  # the entries moved; a tag appears at most once per IFD
        ifd = tiff.u32(ifd + 2 + tiff.u16(ifd) * ENTRY)
    return changed


def _blank_ifd(tiff: _Tiff, ifd: int) -> None:
    """Zero an IFD and every value it points to (the coordinates live out of line)."""
    entries = tiff.entries(ifd)
    for entry in entries:
        kind, count = tiff.u16(entry + 2), tiff.u32(entry + 4)
        size = TYPE_SIZES.get(kind, 0) * count
        if size > 4:
            tiff.zero(tiff.u32(entry + 8), size)
    tiff.zero(ifd, 2 + len(entries) * ENTRY + 4)


def _drop_entry(tiff: _Tiff, ifd: int, entry: int) -> None:
    """Remove one entry: later entries and the next-IFD pointer move up, zeros fill the end."""
    count = tiff.u16(ifd)
    block_end = ifd + 2 + count * ENTRY + 4
    first, last = tiff.at(entry + ENTRY, 0), tiff.at(block_end, 0)
    moved = bytes(tiff.buf[first:last])
    target = tiff.at(entry, 0)
    tiff.buf[target : target + len(moved)] = moved
    tiff.zero(block_end - ENTRY, ENTRY)
    struct.pack_into(tiff.order + "H", tiff.buf, tiff.at(ifd, 2), count - 1)
