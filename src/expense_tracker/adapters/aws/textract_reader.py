"""The AWS receipt reader: Amazon Textract's AnalyzeExpense, called by the worker.

Textract gives the receipt's text lines (LINE blocks, with boxes) and typed summary fields;
VENDOR_NAME, INVOICE_RECEIPT_DATE, TOTAL and the total's currency become hints that the
domain's extraction prefers when they are confident. Needs `textract:AnalyzeExpense`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ...domain.receipt_fields import Hint, TextLine
from ...ports.reader import ReadText, UnreadableImage
from .errors import error_code

if TYPE_CHECKING:
    from mypy_boto3_textract import TextractClient

# Textract refusing the document itself: retrying cannot help.
REFUSED = frozenset(
    {
        "BadDocumentException",
        "UnsupportedDocumentException",
        "DocumentTooLargeException",
        "InvalidParameterException",
    }
)
HINT_TYPES = {"VENDOR_NAME": "merchant", "INVOICE_RECEIPT_DATE": "date", "TOTAL": "total"}


class TextractReader:
    def __init__(self, client: TextractClient) -> None:
        self._client = client

    def read(self, image: bytes, content_type: str) -> ReadText:
        del content_type  # Textract finds the format itself (JPEG or PNG)
        try:
            answer: Mapping[str, Any] = self._client.analyze_expense(Document={"Bytes": image})
        except ClientError as exc:
            if error_code(exc) in REFUSED:
                raise UnreadableImage("Textract could not read the photo") from exc
            raise  # throttling, service errors: the job is retried
        documents = answer.get("ExpenseDocuments", [])
        return ReadText(
            lines=[line for doc in documents for line in _lines(doc.get("Blocks", []))],
            hints=_hints(field for doc in documents for field in doc.get("SummaryFields", [])),
        )


def _lines(blocks: Iterable[Mapping[str, Any]]) -> list[TextLine]:
    lines = []
    for block in blocks:
        if block.get("BlockType") != "LINE" or not block.get("Text"):
            continue
        box = block.get("Geometry", {}).get("BoundingBox")
        bounds = None
        if box:
            left, top = float(box["Left"]), float(box["Top"])
            bounds = (left, top, left + float(box["Width"]), top + float(box["Height"]))
        lines.append(TextLine(block["Text"], _share(block.get("Confidence")), bounds))
    return lines


def _hints(fields: Iterable[Mapping[str, Any]]) -> dict[str, Hint]:
    """The most confident field of each type we use; the total's currency too."""
    hints: dict[str, Hint] = {}
    for summary in fields:
        name = HINT_TYPES.get(summary.get("Type", {}).get("Text", ""))
        value = summary.get("ValueDetection", {})
        if name is None or not value.get("Text"):
            continue
        hint = Hint(value["Text"], _share(value.get("Confidence")))
        if name not in hints or hint.confidence > hints[name].confidence:
            hints[name] = hint
            currency = summary.get("Currency", {})
            if name == "total" and currency.get("Code"):
                hints["currency"] = Hint(currency["Code"], _share(currency.get("Confidence")))
    return hints


def _share(percent: object) -> float:
    """Textract's confidences are percentages."""
    return max(0.0, min(1.0, float(percent) / 100)) if isinstance(percent, int | float) else 0.5
