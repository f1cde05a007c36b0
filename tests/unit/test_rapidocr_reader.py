"""The optional RapidOCR engine (the `rapidocr` extra) on a handful of the generated receipts,
and the OpenCV deskew that comes before it."""

from __future__ import annotations

import io
import json
from typing import Any

import cv2
import numpy as np
import pytest
from benchmarks.receipt_corpus import make_receipt
from PIL import Image, ImageDraw, ImageFont

from expense_tracker.adapters.common.deskew import skew_angle, straighten
from expense_tracker.adapters.common.rapidocr_reader import RapidOcrReader
from expense_tracker.domain.receipt_fields import TextLine, extract, group_rows
from expense_tracker.services.scan_images import upright_jpeg
from tests.support.receipt_photos import FONT

# Photos of the seeded corpus: a British one with "£" amounts (a sign the model has no letter
# for), a turned German one with "1.234,56" amounts and a footer date, a French one with
# "2 379,78 €" amounts, and a US one with cash and change lines.
RECEIPTS = (1, 2, 3, 7)


@pytest.fixture(scope="module")
def reader() -> RapidOcrReader:
    return RapidOcrReader()


@pytest.mark.parametrize("index", RECEIPTS)
def test_the_local_engine_reads_the_fields_of_generated_photos(
    reader: RapidOcrReader, index: int
) -> None:
    photo, truth = make_receipt(index)
    lines = reader.read(upright_jpeg(photo), "image/jpeg").lines
    # A default currency unrelated to the receipt's: only what is printed can make it right.
    default = "EUR" if truth["currency"] == "USD" else "USD"
    fields = extract(group_rows(lines), default_currency=default, locale=truth["locale"])
    found = {
        "total": str(fields.total),
        "date": str(fields.date),
        "currency": fields.currency,
        "merchant": (fields.merchant or "").lower(),  # shops print their names in capitals
    }
    wanted = {**{k: truth[k] for k in found}, "merchant": truth["merchant"].lower()}
    assert found == wanted, json.dumps(truth)


def test_a_photo_that_is_not_an_image_is_unreadable(reader: RapidOcrReader) -> None:
    from expense_tracker.ports.reader import UnreadableImage

    with pytest.raises(UnreadableImage):
        reader.read(b"not a jpeg at all", "image/jpeg")


def text_block(angle: float) -> Any:
    paper = Image.new("L", (500, 400), 255)
    draw = ImageDraw.Draw(paper)
    font = ImageFont.truetype(str(FONT), 22)
    for row in range(8):
        draw.text((30, 30 + row * 42), "COFFEE BEANS      12.50", fill=0, font=font)
    turned = paper.rotate(angle, fillcolor=255, expand=False)
    out = io.BytesIO()
    turned.convert("RGB").save(out, "PNG")
    return cv2.imdecode(np.frombuffer(out.getvalue(), np.uint8), cv2.IMREAD_COLOR)


@pytest.mark.parametrize("angle", [-7.0, 4.0])
def test_the_skew_of_printed_rows_is_found_and_undone(angle: float) -> None:
    image = text_block(angle)
    assert skew_angle(image) == pytest.approx(-angle, abs=1.0)
    assert abs(skew_angle(straighten(image))) <= 1.0


def test_rows_split_into_boxes_come_back_together_after_reading() -> None:
    boxes = [
        TextLine("TOTAL", 0.9, (10, 100, 80, 120)),
        TextLine("6.25", 0.9, (300, 102, 340, 121)),
    ]
    assert [row.text for row in group_rows(boxes)] == ["TOTAL  6.25"]


def test_one_engine_tuned_for_receipts_serves_every_reader_of_the_process() -> None:
    from expense_tracker.adapters.common import rapidocr_reader as local
    from expense_tracker.adapters.common.ctc_decoder import ReceiptCtcDecoder

    local.load_engine()
    engine = local.shared_engine()
    ok, png = cv2.imencode(".png", text_block(0.0))
    assert ok
    lines = RapidOcrReader().read(png.tobytes(), "image/png").lines
    assert local.shared_engine() is engine  # a second reader built nothing
    assert "COFFEE" in group_rows(lines)[0].text
    assert (engine.use_cls, engine.text_det.limit_type, engine.text_det.limit_side_len) == (
        False,
        "max",
        local.DET_MAX_SIDE,
    )
    assert isinstance(engine.text_rec.postprocess_op, ReceiptCtcDecoder)
