"""A receipt reader that reads nothing: it answers the text it was given (for tests, and for
test deployments where no OCR runs)."""

from __future__ import annotations

from ..domain.receipt_fields import TextLine
from ..ports.reader import ReadText

SAMPLE_RECEIPT = (
    "SAMPLE MARKET",
    "Date: 11/04/2026",  # day and month could swap: the user's locale decides, unsure
    "Coffee 3.50",
    "Bagel 2.75",
    "TOTAL EUR 6.25",
)


class MemoryReceiptReader:
    def __init__(self, lines: tuple[str, ...] = SAMPLE_RECEIPT, confidence: float = 0.99) -> None:
        self.lines = lines
        self.confidence = confidence
        self.reads = 0

    def read(self, image: bytes, content_type: str) -> ReadText:
        del image, content_type
        self.reads += 1
        return ReadText([TextLine(text, self.confidence) for text in self.lines])
