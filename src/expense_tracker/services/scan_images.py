"""A checked receipt photo made ready for a reader: upright (EXIF orientation applied),
RGB, at most MAX_SIDE pixels on its longer side, as a JPEG (what every reader accepts)."""

from __future__ import annotations

import io

from ..ports.reader import UnreadableImage
from .receipt_images import open_heic_too

MAX_SIDE = 2000  # enough for receipt print; more only slows OCR down
JPEG_QUALITY = 90


def upright_jpeg(data: bytes) -> bytes:
    """The bytes were checked by clean_receipt at upload (type, pixel limit). Pillow is
    imported here, on the first scan, so a cold start does not pay for it."""
    from PIL import Image, ImageOps

    open_heic_too()
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except Exception as exc:  # any decoder failure: the photo cannot be read
        raise UnreadableImage("the photo could not be decoded") from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
