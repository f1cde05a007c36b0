"""The default local OCR engine (Debian's Tesseract) on a handful of the generated receipts:
photos of a receipt on a table, turned, in perspective, blurred (the full corpus runs in
`make bench`)."""

from __future__ import annotations

import json

import pytest
from benchmarks.receipt_corpus import make_receipt

from expense_tracker.adapters.common.tesseract_reader import TesseractReader
from expense_tracker.domain.receipt_fields import extract, group_rows
from expense_tracker.ports.reader import UnreadableImage
from expense_tracker.services.scan_images import upright_jpeg
from tests.support.receipt_photos import receipt_photo

# A British receipt in pounds with a "26 Jul 2026" date, a French one with "2 653,47 €"
# (a space between thousands) and a footer date, and a US one with cash and change lines.
RECEIPTS = (1, 3, 14)


@pytest.fixture(scope="module")
def reader() -> TesseractReader:
    return TesseractReader()


@pytest.mark.parametrize("index", RECEIPTS)
def test_the_local_engine_reads_every_field_of_generated_photos(
    reader: TesseractReader, index: int
) -> None:
    photo, truth = make_receipt(index)
    lines = reader.read(upright_jpeg(photo), "image/jpeg").lines
    fields = extract(group_rows(lines), default_currency="USD", locale=truth["locale"])
    found = {
        "total": str(fields.total),
        "date": str(fields.date),
        "currency": fields.currency,
        "merchant": (fields.merchant or "").lower(),
    }
    wanted = {k: truth[k] for k in ("total", "date", "currency")}
    wanted["merchant"] = truth["merchant"].lower()
    assert found == wanted, json.dumps(truth)


def test_lines_come_with_their_boxes_and_confidences(reader: TesseractReader) -> None:
    lines = reader.read(receipt_photo(), "image/jpeg").lines
    total = next(line for line in lines if line.text.startswith("TOTAL"))
    words = total.text.split()
    assert (words[0], words[-1]) == ("TOTAL", "6.25") and words[1].startswith("EUR")
    assert total.box is not None and total.box[2] > total.box[0]
    assert 0.5 < total.confidence <= 1.0


def test_a_photo_that_is_not_an_image_is_unreadable(reader: TesseractReader) -> None:
    with pytest.raises(UnreadableImage, match="decoded"):
        reader.read(b"not a jpeg at all", "image/jpeg")


def test_a_missing_engine_is_named_with_what_installs_it() -> None:
    missing = TesseractReader(command="/nonexistent/tesseract")
    with pytest.raises(UnreadableImage, match="tesseract-ocr"):
        missing.read(receipt_photo(), "image/jpeg")
