"""PDF receipts are parsed (pypdf) and refused when they hold scripts, actions that run,
open or submit anything, or attached files, however the file disguises them."""

from __future__ import annotations

import io
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from expense_tracker.domain.errors import Invalid
from expense_tracker.services.receipt_images import clean_receipt
from tests.support import receipt_files as files


def pdf(*objects: bytes, root: int = 1) -> bytes:
    """A PDF with a correct cross-reference table around the given object bodies."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, xref)  # fmt: skip
    return bytes(out)


PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


def refused(data: bytes) -> bool:
    try:
        clean_receipt(data, "application/pdf")
    except Invalid:
        return True
    return False


def test_a_plain_pdf_is_kept_byte_for_byte() -> None:
    plain = pdf(b"<< /Type /Catalog /Pages 2 0 R >>", PAGES)
    assert clean_receipt(plain, "application/pdf") == ("application/pdf", plain)
    assert clean_receipt(files.PDF, "application/pdf") == ("application/pdf", files.PDF)


@pytest.mark.parametrize(
    "catalog",
    [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (alert(1)) >> >>",
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /L#61unch /F (calc.exe) >> >>",
        b"<< /Type /Catalog /Pages 2 0 R /O#70enAction 3 0 R >>",
        b"<< /Type /Catalog /Pages 2 0 R /AA << /WC << /S /SubmitForm /F (http://x) >> >> >>",
        b"<< /Type /Catalog /Pages 2 0 R /Names << /Embedde#64Files << /Names [] >> >> >>",
        b"<< /Type /Catalog /Pages 2 0 R /Outlines << /A << /S /GoToR /F (other.pdf) >> >> >>",
    ],
)
def test_escaped_names_do_not_hide_active_content(catalog: bytes) -> None:
    assert refused(pdf(catalog, PAGES, b"<< /S /GoTo /D [0 /Fit] >>"))


def test_a_fake_stream_string_does_not_hide_a_script() -> None:
    # A string holding "stream ... endstream" once fooled a pattern check into skipping the script.
    catalog = (
        b"<< /Type /Catalog /Pages 2 0 R /Fake (stream\n) "
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> /Other (endstream) >>"
    )
    assert refused(pdf(catalog, PAGES))


def object_stream_pdf(hidden: bytes) -> bytes:
    """Object 4 lives compressed inside object stream 3; a cross-reference stream finds it."""
    inner = b"4 0 " + hidden
    stream = zlib.compress(inner)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Extra 4 0 R >>",
        PAGES,
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"]
    rows += [b"\x01" + o.to_bytes(4, "big") + b"\x00\x00" for o in offsets]
    rows += [b"\x02" + (3).to_bytes(4, "big") + b"\x00\x00"]  # object 4: stream 3, index 0
    rows += [b"\x01" + xref_at.to_bytes(4, "big") + b"\x00\x00"]
    table = b"".join(rows)
    out += (
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def test_a_script_inside_an_object_stream_is_found() -> None:
    data = object_stream_pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    assert b"JavaScript" not in data
    assert refused(data)
    assert not refused(object_stream_pdf(b"<< /S /GoTo /D [0 /Fit] >>"))


def test_an_attached_file_is_refused() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_attachment("invoice.exe", b"MZ payload")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refused(buffer.getvalue())


def test_a_page_action_is_refused() -> None:
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refused(buffer.getvalue())


def test_a_pdf_that_does_not_parse_is_not_a_pdf() -> None:
    assert refused(b"%PDF-1.7\n" + b"\x00garbage" * 100 + b"\n%%EOF\n")
