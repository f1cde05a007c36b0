"""Receipt files for tests, made on the spot: real images, images with GPS, bombs, disguises."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
LATITUDE = (52.0, 22.0, 5.5)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), **save: object) -> bytes:
    """A small real image; noise, so it compresses like a photo rather than to nothing."""
    image = Image.effect_noise(size, 40).convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "ReceiptCam"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: LATITUDE, 3: "E", 4: (4.0, 53.0, 1.25)})
    return exif


def image_with_gps(fmt: str = "JPEG") -> bytes:
    return image_bytes(fmt, exif=gps_exif())


def exif_of(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.getexif()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 12_000, height: int = 12_000) -> bytes:
    """A 1-bit PNG of width x height pixels that compresses to a few kilobytes."""
    row = b"\x00" * (1 + (width + 7) // 8)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(row * height, 9))
        + png_chunk(b"IEND", b"")
    )


def png_with_text(text: bytes) -> bytes:
    """A valid PNG carrying `text` in a tEXt chunk, before the image data."""
    png = image_bytes("PNG")
    end_of_header = 8 + 25  # signature, then IHDR (4 + 4 + 13 + 4)
    return png[:end_of_header] + png_chunk(b"tEXt", b"Comment\x00" + text) + png[end_of_header:]


HTML_AS_PNG = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>'
SCRIPT = b"#!/bin/sh\nrm -rf /\n"
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PDF_WITH_SCRIPT = PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript >>")
HEIC_HEADER = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
