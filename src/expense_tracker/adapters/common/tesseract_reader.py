"""The local receipt reader: Tesseract, Debian's `tesseract-ocr` with its English model (both
installed by `make install` from Debian's archive), driven through `pytesseract`. Nothing is
downloaded at run time and no network is used. The photo is flattened to the paper first
(adapters/common/paper.py): Tesseract reads a squared page far better than a photo of a table."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Any

from PIL import Image, UnidentifiedImageError

from ...domain.receipt_fields import TextLine
from ...ports.reader import ReadText, UnreadableImage
from .paper import flatten_paper

# One uniform block of text: a receipt's rows with their amounts on the same line (the default
# page segmentation splits the amount column from its labels).
CONFIG = "--psm 6"
LANGUAGE = "eng"
TIMEOUT_SECONDS = 60  # a stuck engine is killed; the job is retried
NOT_INSTALLED = (
    "the local OCR engine is not installed (Debian's tesseract-ocr and tesseract-ocr-eng, "
    "and the `ocr` extra: pytesseract; `make install` sets up all three)"
)


class TesseractReader:
    def __init__(self, command: str = "tesseract") -> None:
        self._command = command

    def read(self, image: bytes, content_type: str) -> ReadText:
        del content_type  # Pillow finds the format itself
        try:
            photo = Image.open(io.BytesIO(image))
            photo.load()
        except (UnidentifiedImageError, OSError) as exc:
            raise UnreadableImage("the photo could not be decoded") from exc
        words = self._words(flatten_paper(photo))
        return ReadText(lines_of(words))

    def _words(self, page: Image.Image) -> dict[str, list[Any]]:
        try:
            import pytesseract  # type: ignore[import-untyped]
        except ImportError as exc:
            raise UnreadableImage(NOT_INSTALLED) from exc
        pytesseract.pytesseract.tesseract_cmd = self._command
        try:
            data: dict[str, list[Any]] = pytesseract.image_to_data(
                page,
                lang=LANGUAGE,
                config=CONFIG,
                output_type=pytesseract.Output.DICT,
                timeout=TIMEOUT_SECONDS,
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise UnreadableImage(NOT_INSTALLED) from exc
        return data


def lines_of(words: dict[str, list[Any]]) -> list[TextLine]:
    """Tesseract's words joined into its own lines, each with the mean word confidence and the
    box around its words."""
    members: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for index, text in enumerate(words["text"]):
        if str(text).strip() and float(words["conf"][index]) >= 0:
            key = (words["block_num"][index], words["par_num"][index], words["line_num"][index])
            members[key].append(index)
    return [_line(words, indexes) for indexes in members.values()]


def _line(words: dict[str, list[Any]], indexes: list[int]) -> TextLine:
    left = min(int(words["left"][i]) for i in indexes)
    top = min(int(words["top"][i]) for i in indexes)
    right = max(int(words["left"][i]) + int(words["width"][i]) for i in indexes)
    bottom = max(int(words["top"][i]) + int(words["height"][i]) for i in indexes)
    confidence = sum(float(words["conf"][i]) for i in indexes) / len(indexes) / 100
    text = " ".join(str(words["text"][i]) for i in indexes)
    return TextLine(text, confidence, (float(left), float(top), float(right), float(bottom)))
