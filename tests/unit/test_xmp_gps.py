"""GPS in XMP is removed too (JPEG APP1, WebP XMP chunk), in place and without changing the
file's size; an image without it is kept byte for byte."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from expense_tracker.services.receipt_images import clean_receipt

XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.5N">'
    b"<exif:GPSLongitude>2,17.4E</exif:GPSLongitude><exif:ExposureTime>1/60</exif:ExposureTime>"
    b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def image_with_xmp(kind: str, xmp: bytes | None) -> bytes:
    buffer = io.BytesIO()
    extra = {"xmp": xmp} if xmp else {}
    Image.new("RGB", (32, 32), (200, 10, 10)).save(buffer, kind, **extra)
    return buffer.getvalue()


@pytest.mark.parametrize(("kind", "content_type"), [("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_gps_in_xmp_is_removed_in_place(kind: str, content_type: str) -> None:
    original = image_with_xmp(kind, XMP)
    assert b"GPSLatitude" in original and b"GPSLongitude" in original
    _, cleaned = clean_receipt(original, content_type)
    assert b"GPS" not in cleaned
    assert b"ExposureTime" in cleaned  # the rest of the packet stays
    assert len(cleaned) == len(original)
    with Image.open(io.BytesIO(cleaned)) as image:
        image.load()


@pytest.mark.parametrize(
    ("kind", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_an_image_without_gps_is_kept_byte_for_byte(kind: str, content_type: str) -> None:
    plain = image_with_xmp(kind, None)
    assert clean_receipt(plain, content_type) == (content_type, plain)
    if kind != "PNG":
        harmless = image_with_xmp(kind, XMP.replace(b"GPS", b"Foo"))
        assert clean_receipt(harmless, content_type) == (content_type, harmless)
