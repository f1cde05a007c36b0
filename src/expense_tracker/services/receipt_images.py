"""Is an uploaded receipt what it claims to be? Decode it, refuse bombs, remove its location.

The type comes from the magic number, never from the client. Images are decoded with Pillow
under a pixel limit suited to receipts, and under a memory budget shared by every decode of
the process; the GPS block of their EXIF is removed in place, so an image without one is kept
byte for byte and no image is ever re-encoded."""

from __future__ import annotations

import io
import re
import struct
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import pi_heif
from PIL import Image

from ..domain.errors import FieldError, Invalid, RateLimited
from ..domain.exif_gps import GPS_IFD_TAG, MalformedExif, scrub_gps
from ..domain.receipts import (
    HEAD_BYTES,
    HEIC,
    JPEG,
    PDF,
    PNG,
    WEBP,
    check_pdf,
    contains_markup,
    not_a,
    sniff,
)
from .receipt_pdf import check_pdf_content
from .receipt_xmp import XmpNotCleaned, packet_has_gps, scrub_xmp_gps

pi_heif.register_heif_opener()  # HEIC decoding only: pi-heif ships no encoder

PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", HEIC: "HEIF"}
EXIF_HEADER = b"Exif\x00\x00"
TOO_BIG = "the image has too many pixels to be decoded safely"
GPS_STAYED = "the image's location data could not be removed"
# 40 megapixels: a page at 600 dpi (A4 35 MP) or a 12-24 MP phone photo at full size, less
# than half Pillow's default (89 MP), whose RGBA decode alone took 317 MB.
MAX_RECEIPT_PIXELS = 40_000_000
BYTES_PER_PIXEL = 4  # RGBA or 32-bit modes: the most a decoded pixel of ours takes
# Decoded pixels held at once by the process: one worst-case image (160 MB) at a time, or
# many small ones; the rest wait their turn rather than multiply the memory.
DECODE_BUDGET_BYTES = 256 * 1024 * 1024
DECODE_WAIT_SECONDS = 60.0


class DecodeBudget:
    """A semaphore counted in bytes: a decode holds what its pixels need while it runs."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._free = total
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, amount: int) -> Iterator[None]:
        amount = min(amount, self.total)
        with self._changed:
            if not self._changed.wait_for(lambda: self._free >= amount, DECODE_WAIT_SECONDS):
                raise RateLimited(5, "The server is busy checking receipts; try again shortly")
            self._free -= amount
        try:
            yield
        finally:
            with self._changed:
                self._free += amount
                self._changed.notify_all()


DECODES = DecodeBudget(DECODE_BUDGET_BYTES)


def clean_receipt(data: bytes, declared: str | None) -> tuple[str, bytes]:
    """The receipt's real type and the bytes to keep; Invalid when the bytes are not an
    allowed type, not the declared one, carry markup, or cannot be decoded safely."""
    actual = sniff(data[:HEAD_BYTES])
    if actual is None or (declared is not None and actual != declared):
        raise not_a(declared or "receipt")
    if contains_markup(data):
        raise not_a(actual)
    if actual == PDF:
        check_pdf(data)  # its frame: a header and an end marker
        check_pdf_content(data)  # parsed: no scripts, actions or attachments
        return actual, data
    exif = _decode(data, actual)
    cleaned = data if exif is None else _without_gps(data, exif, actual)
    return actual, _without_xmp_gps(cleaned, actual)


def _without_xmp_gps(data: bytes, kind: str) -> bytes:
    """The bytes with no GPS in their XMP; the very same bytes when there was none."""
    buf = bytearray(data)
    try:
        changed = scrub_xmp_gps(buf)
    except (XmpNotCleaned, ValueError) as exc:
        raise Invalid(FieldError("file", GPS_STAYED)) from exc
    if changed and kind == PNG:
        _fix_png_checksums(buf)
    cleaned = bytes(buf) if changed else data
    if _xmp_still_has_gps(cleaned, kind):  # such as a compressed PNG iTXt chunk
        raise Invalid(FieldError("file", GPS_STAYED))
    return cleaned


def _xmp_still_has_gps(data: bytes, kind: str) -> bool:
    with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[kind]]) as image:
        packets = [image.info.get(name) for name in ("xmp", "XML:com.adobe.xmp")]
    return any(isinstance(p, bytes | str) and packet_has_gps(p) for p in packets)


def _decode(data: bytes, kind: str) -> bytes | None:
    """Decode the whole image; the raw EXIF bytes when they hold a GPS block, else None."""
    try:
        # Pillow only warns between one and two times its pixel limit; a bomb all the same.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[kind]]) as image:
                # Checked here too: the warnings filter is process-wide, not per thread.
                if image.width * image.height > MAX_RECEIPT_PIXELS:
                    raise Image.DecompressionBombError(TOO_BIG)
                # JPEG: decode every block at 1/8 scale: all the checks, 1/64 of the memory.
                # PNG, WebP and HEIF decoders have no reduced mode: they wait for the budget.
                if kind == JPEG:
                    image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
                with DECODES.hold(image.width * image.height * BYTES_PER_PIXEL):
                    image.load()
                has_gps = GPS_IFD_TAG in image.getexif()
                raw = image.info.get("exif")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid(FieldError("file", TOO_BIG)) from exc
    except RateLimited:
        raise
    except Exception as exc:  # any decoder failure on untrusted bytes means "not an image"
        raise not_a(kind) from exc
    if not has_gps:
        return None
    if not isinstance(raw, bytes):  # GPS known to Pillow, but not from a block we can edit
        raise Invalid(FieldError("file", GPS_STAYED))
    return raw


def _without_gps(data: bytes, exif: bytes, kind: str) -> bytes:
    tiff = exif.removeprefix(EXIF_HEADER)
    primary = data.find(tiff)
    if primary < 0:
        raise Invalid(FieldError("file", GPS_STAYED))
    buf = bytearray(data)
    try:
        scrub_gps(buf, primary, primary + len(tiff))
    except MalformedExif as exc:
        raise Invalid(FieldError("file", "the image's EXIF data is malformed")) from exc
    # Other EXIF blocks (thumbnails, the extra images of a multi-picture JPEG) may carry GPS.
    for match in re.finditer(re.escape(EXIF_HEADER), data):
        if match.end() != primary:
            _scrub_quietly(buf, match.end())
    if kind == PNG:
        _fix_png_checksums(buf)
    cleaned = bytes(buf)
    if _still_has_gps(cleaned, kind):
        raise Invalid(FieldError("file", GPS_STAYED))
    return cleaned


def _scrub_quietly(buf: bytearray, start: int) -> None:
    """A secondary block that does not parse is left alone (it may be data that only looks
    like a header); the primary block, which the viewer reads, was checked strictly."""
    try:
        scrub_gps(buf, start)
    except MalformedExif:
        return


def _fix_png_checksums(buf: bytearray) -> None:
    """Recompute the CRC of each eXIf and iTXt chunk, whose data may have been edited."""
    position = 8
    while position + 12 <= len(buf):
        (length,) = struct.unpack_from(">I", buf, position)
        end = position + 8 + length
        if end + 4 > len(buf):
            return
        if bytes(buf[position + 4 : position + 8]) in (b"eXIf", b"iTXt"):
            struct.pack_into(">I", buf, end, zlib.crc32(buf[position + 4 : end]))
        position = end + 4


def _still_has_gps(data: bytes, kind: str) -> bool:
    try:
        with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[kind]]) as image:
            if kind == PNG:  # an eXIf chunk after the image data is read only by load()
                with DECODES.hold(image.width * image.height * BYTES_PER_PIXEL):
                    image.load()
            return GPS_IFD_TAG in image.getexif()
    except RateLimited:
        raise
    except Exception as exc:
        raise Invalid(FieldError("file", GPS_STAYED)) from exc
