"""What an uploaded receipt really is: magic numbers, decoding, bombs, disguises, location."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from expense_tracker.domain.errors import Invalid
from expense_tracker.domain.exif_gps import MalformedExif, scrub_gps
from expense_tracker.domain.receipts import (
    HEIC,
    JPEG,
    PDF,
    PNG,
    WEBP,
    check_upload_request,
    contains_markup,
    parse_key,
    pending_key,
    receipt_key,
    sniff,
)
from expense_tracker.services.receipt_images import clean_receipt
from tests.support import receipt_files as files


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (files.image_bytes("JPEG"), JPEG),
        (files.image_bytes("PNG"), PNG),
        (files.image_bytes("WEBP"), WEBP),
        (files.HEIC_HEADER, HEIC),
        (files.PDF, PDF),
        (files.HTML_AS_PNG, None),
        (files.SVG, None),
        (files.SCRIPT, None),
        (files.image_bytes("GIF"), None),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00", None),
        (b"", None),
    ],
)
def test_sniff_knows_allowed_types_by_magic_number_only(data: bytes, expected: str | None) -> None:
    assert sniff(data[:64]) == expected


def test_upload_request_allows_only_listed_types_up_to_ten_mebibytes() -> None:
    assert check_upload_request(" Image/PNG ", 10 * 1024 * 1024) == PNG
    with pytest.raises(Invalid) as refused:
        check_upload_request("image/svg+xml", 10 * 1024 * 1024 + 1)
    assert {e.field for e in refused.value.errors} == {"content_type", "size"}
    with pytest.raises(Invalid):
        check_upload_request("text/html", 10)
    with pytest.raises(Invalid):
        check_upload_request(PNG, 0)


def test_keys_are_built_from_user_and_expense_and_parse_back() -> None:
    assert pending_key("u-1", "E1") == "users/u-1/receipts/E1/pending"
    key = receipt_key("u-1", "E1", "R1")
    assert key == "users/u-1/receipts/E1/R1"
    parsed = parse_key(key)
    assert parsed is not None and (parsed.user_id, parsed.expense_id, parsed.name) == (
        "u-1",
        "E1",
        "R1",
    )
    assert parse_key("users/u-1/receipts/E1/pending").is_pending  # type: ignore[union-attr]
    assert parse_key("users/../receipts/E1/R1") is None
    assert parse_key("elsewhere/file") is None


@pytest.mark.parametrize("bad", ["../other", "a/b", "", "x" * 129, "id with space"])
def test_keys_refuse_identifiers_that_could_escape_their_folder(bad: str) -> None:
    with pytest.raises(Invalid):
        pending_key(bad, "E1")
    with pytest.raises(Invalid):
        pending_key("u-1", bad)


def test_png_without_exif_is_kept_byte_for_byte() -> None:
    png = files.image_bytes("PNG")
    assert clean_receipt(png, PNG) == (PNG, png)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_gps_is_removed_in_place_and_other_exif_stays(fmt: str) -> None:
    original = files.image_with_gps(fmt)
    assert files.exif_of(original).get_ifd(files.GPS_IFD)  # the test image has a location

    _, cleaned = clean_receipt(original, None)

    exif = files.exif_of(cleaned)
    assert files.GPS_IFD not in exif and not exif.get_ifd(files.GPS_IFD)
    assert exif[files.ORIENTATION] == 6  # the rest of the metadata is untouched
    assert len(cleaned) == len(original)  # nothing re-encoded
    assert struct.pack(">ddd", *files.LATITUDE) not in cleaned


def test_png_checksums_stay_valid_after_gps_removal() -> None:
    _, cleaned = clean_receipt(files.image_with_gps("PNG"), PNG)
    with Image.open(io.BytesIO(cleaned)) as image:
        image.load()  # Pillow verifies chunk CRCs and raises on a bad one
        assert image.size == (40, 30)


def _little_endian_tiff_with_gps() -> bytearray:
    """II byte order (most cameras), IFD0 = {Orientation, GPS pointer}, GPS = {latitude}."""
    ifd0 = struct.pack("<H", 2)
    ifd0 += struct.pack("<HHII", 0x0112, 3, 1, 6)
    ifd0 += struct.pack("<HHII", 0x8825, 4, 1, 38)
    ifd0 += struct.pack("<I", 0)
    gps = struct.pack("<H", 1) + struct.pack("<HHII", 2, 5, 3, 56) + struct.pack("<I", 0)
    coordinates = struct.pack("<6I", 52, 1, 22, 1, 55, 10)
    return bytearray(b"II*\x00" + struct.pack("<I", 8) + ifd0 + gps + coordinates)


def test_scrub_handles_little_endian_exif_and_zeroes_the_coordinates() -> None:
    tiff = _little_endian_tiff_with_gps()
    assert scrub_gps(tiff, 0) is True
    assert struct.unpack_from("<H", tiff, 8)[0] == 1  # one entry left in IFD0
    assert struct.unpack_from("<HHII", tiff, 10) == (0x0112, 3, 1, 6)
    assert tiff[38:] == bytes(len(tiff) - 38)  # the GPS IFD and its values are all zero
    assert scrub_gps(tiff, 0) is False  # nothing left to remove


def test_scrub_refuses_exif_whose_offsets_point_outside() -> None:
    tiff = _little_endian_tiff_with_gps()
    struct.pack_into("<I", tiff, 4, 10_000)
    with pytest.raises(MalformedExif):
        scrub_gps(tiff, 0)


def test_scrub_refuses_an_ifd_chain_that_loops_forever() -> None:
    tiff = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<HI", 0, 8))
    assert scrub_gps(tiff, 0) is False  # a loop back to a seen IFD ends the walk


@pytest.mark.parametrize(
    "data",
    [
        files.HTML_AS_PNG,
        files.SVG,
        files.SCRIPT,
        files.image_bytes("PNG") + b"<script>alert(1)</script>",  # a polyglot
        files.png_with_text(b"<html><body onload=alert(1)>"),
        b"\x89PNG\r\n\x1a\n" + b"<html>not really a png</html>",
    ],
)
def test_markup_and_fakes_are_not_png(data: bytes) -> None:
    with pytest.raises(Invalid):
        clean_receipt(data, PNG)


def test_bytes_of_another_type_than_declared_are_refused() -> None:
    with pytest.raises(Invalid, match="image/png"):
        clean_receipt(files.image_bytes("JPEG"), PNG)


def test_truncated_image_is_refused() -> None:
    jpeg = files.image_bytes("JPEG", (256, 256))
    with pytest.raises(Invalid):
        clean_receipt(jpeg[: len(jpeg) // 2], JPEG)


@pytest.mark.parametrize("side", [12_000, 20_000])  # Pillow warns above 89 Mpx, refuses at 179
def test_decompression_bombs_are_refused_before_decoding(side: int) -> None:
    bomb = files.png_bomb(side, side)
    assert len(bomb) < 100_000
    with pytest.raises(Invalid, match="too many pixels"):
        clean_receipt(bomb, PNG)


def test_heic_that_does_not_decode_is_refused() -> None:
    with pytest.raises(Invalid):
        clean_receipt(files.HEIC_HEADER + b"\x00" * 200, HEIC)


def test_plain_pdf_is_kept_and_pdf_with_script_is_refused() -> None:
    assert clean_receipt(files.PDF, PDF) == (PDF, files.PDF)
    with pytest.raises(Invalid, match="scripts"):
        clean_receipt(files.PDF_WITH_SCRIPT, PDF)
    with pytest.raises(Invalid):
        clean_receipt(files.PDF.replace(b"%%EOF", b""), PDF)  # cut short


def test_short_markup_in_image_data_is_not_mistaken_for_a_page() -> None:
    # "<svg " can occur by chance in compressed data; only at the start is it a disguise.
    assert not contains_markup(b"\xff\xd8\xff" + b"\x00" * 2000 + b"<svg ")
    assert contains_markup(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert contains_markup(b"\x00" * 5000 + b"<SCRIPT>")
