"""The local receipt reader: RapidOCR (PaddleOCR's models on ONNX Runtime). Its models ship
inside the `rapidocr-onnxruntime` wheel, so nothing is downloaded and no network is used.

One engine per process, built on the first scan (about a second) and shared by every reader
and thread after that; scans take turns on it (each already keeps both cores busy). Tuned for
receipts, where most of a scan's time is the recognition of each text box:
- the text detector sees the photo at most DET_MAX_SIDE pixels on its longer side (its
  default, "at least 736 on the shorter side", blows a 2000 px photo up to 3 megapixels);
  the boxes it finds are cut from the full-size photo, so recognition loses nothing;
- no angle classifier: deskew has levelled the print and EXIF the orientation;
- ONNX Runtime on two threads per operator (the target machine has two cores), one at a time
  between operators;
- a decoder that keeps the spaces between words and the € and £ signs (ctc_decoder.py)."""

from __future__ import annotations

import os
import threading
from typing import Any

from ...domain.receipt_fields import TextLine
from ...ports.reader import ReadText, UnreadableImage
from .receipt_marks import currency_marks

NOT_INSTALLED = "the local OCR engine is not installed (the `ocr` extra: rapidocr-onnxruntime)"
DET_MAX_SIDE = 960
THREADS = max(1, min(2, os.cpu_count() or 1))

_engine: Any = None
_engine_lock = threading.Lock()  # one scan at a time, and one engine built


def _build_engine() -> Any:
    try:  # heavy (OpenCV, ONNX Runtime): imported when the first scan runs
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]
    except ImportError as exc:
        raise UnreadableImage(NOT_INSTALLED) from exc
    from .ctc_decoder import ReceiptCtcDecoder

    engine = RapidOCR(
        use_cls=False,
        det_limit_type="max",
        det_limit_side_len=DET_MAX_SIDE,
        intra_op_num_threads=THREADS,
        inter_op_num_threads=1,
    )
    recogniser = engine.text_rec
    recogniser.postprocess_op = ReceiptCtcDecoder(recogniser.postprocess_op.character)
    return engine


def shared_engine() -> Any:
    """The process's engine; call with _engine_lock held."""
    global _engine
    if _engine is None:
        _engine = _build_engine()
    return _engine


def load_engine() -> None:
    """Build the engine now rather than on the first scan."""
    with _engine_lock:
        shared_engine()


class RapidOcrReader:
    def read(self, image: bytes, content_type: str) -> ReadText:
        del content_type  # OpenCV finds the format itself
        with _engine_lock:
            engine = shared_engine()
            import cv2
            import numpy as np

            from .deskew import deskew

            pixels = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR)
            if pixels is None:
                raise UnreadableImage("the photo could not be decoded")
            found, _ = engine(deskew(pixels))
        return ReadText(currency_marks([box_line(item) for item in found or []]))


def box_line(item: Any) -> TextLine:
    """One of the engine's results: (corner points, text, score)."""
    points, text, score = item
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    return TextLine(str(text), float(score), (min(xs), min(ys), max(xs), max(ys)))
