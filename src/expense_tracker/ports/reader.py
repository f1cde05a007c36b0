"""The receipt reader port: what text a receipt photo shows (OCR).

Locally an OCR engine that runs in the process with its models inside its package; on AWS
Textract's AnalyzeExpense. Both give text lines (with boxes when they know them); Textract also
gives typed fields (`hints`: merchant, date, total, currency). Turning them into an expense is
the domain's job (domain/receipt_fields.py), the same for every reader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ..domain.receipt_fields import Hint, TextLine


@dataclass(frozen=True)
class ReadText:
    lines: list[TextLine]
    hints: Mapping[str, Hint] = field(default_factory=dict)


class UnreadableImage(Exception):
    """The reader cannot use these bytes at all (retrying cannot help)."""


class ReceiptReader(Protocol):
    def read(self, image: bytes, content_type: str) -> ReadText:
        """The text of an upright JPEG or PNG image (EXIF orientation already applied).
        Raises UnreadableImage; any other error is transient (the job is retried)."""
        ...
