"""The local receipt reader: RapidOCR (PaddleOCR's models on ONNX Runtime). Its models ship
inside the `rapidocr-onnxruntime` wheel, so nothing is downloaded and no network is used.
The engine is loaded on the first scan (about a second) and kept for the process."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from ...domain.receipt_fields import TextLine
from ...ports.reader import ReadText, UnreadableImage

NOT_INSTALLED = "the local OCR engine is not installed (the `ocr` extra: rapidocr-onnxruntime)"


class RapidOcrReader:
    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()  # one scan at a time: each already uses every core

    def _loaded(self) -> Any:
        if self._engine is None:
            try:  # heavy (OpenCV, ONNX Runtime): imported when the first scan runs
                from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]
            except ImportError as exc:
                raise UnreadableImage(NOT_INSTALLED) from exc
            self._engine = RapidOCR()
        return self._engine

    def read(self, image: bytes, content_type: str) -> ReadText:
        del content_type  # OpenCV finds the format itself
        with self._lock:
            engine = self._loaded()
            import cv2
            import numpy as np

            from .deskew import deskew

            pixels = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR)
            if pixels is None:
                raise UnreadableImage("the photo could not be decoded")
            found, _ = engine(deskew(pixels))
        return ReadText(euro_signs([_line(item) for item in found or []]))


def _line(item: Any) -> TextLine:
    points, text, score = item
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    return TextLine(str(text), float(score), (min(xs), min(ys), max(xs), max(ys)))


def euro_signs(lines: list[TextLine]) -> list[TextLine]:
    """The recognition model has no euro sign in its alphabet and reads a printed one as a
    lone "E" (or "C") just right of an amount: give it back its meaning."""
    amounts = [ln for ln in lines if ln.box and ln.text[-1:].isdigit()]
    return [
        replace(ln, text="€")
        if ln.text.strip() in {"E", "C"} and _after_amount(ln, amounts)
        else ln
        for ln in lines
    ]


def _after_amount(line: TextLine, amounts: list[TextLine]) -> bool:
    left, top, _, bottom = line.box or (0.0, 0.0, 0.0, 0.0)
    centre = (top + bottom) / 2
    return any(
        a.box and a.box[1] <= centre <= a.box[3] and 0 <= left - a.box[2] < (bottom - top) * 2
        for a in amounts
    )
