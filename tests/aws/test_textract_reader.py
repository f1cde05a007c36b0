"""The Textract reader against recorded-shape AnalyzeExpense answers (botocore's Stubber).

moto has no AnalyzeExpense, so the answers here are built to the response structure AWS
documents for it (ExpenseDocuments -> SummaryFields with Type / ValueDetection / Currency,
LineItemGroups, and LINE Blocks with a BoundingBox), and the Stubber checks our request
against the service model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from expense_tracker.adapters.aws.textract_reader import TextractReader
from expense_tracker.domain.receipt_fields import extract, group_rows
from expense_tracker.ports.reader import UnreadableImage

IMAGE = b"\xff\xd8\xff\xe0 a jpeg"


def box(left: float, top: float, width: float = 0.3, height: float = 0.02) -> dict[str, Any]:
    return {
        "BoundingBox": {"Width": width, "Height": height, "Left": left, "Top": top},
        "Polygon": [
            {"X": left, "Y": top},
            {"X": left + width, "Y": top},
            {"X": left + width, "Y": top + height},
            {"X": left, "Y": top + height},
        ],
    }


def line(text: str, left: float, top: float, confidence: float = 99.2) -> dict[str, Any]:
    return {
        "BlockType": "LINE",
        "Confidence": confidence,
        "Text": text,
        "Geometry": box(left, top),
        "Id": f"line-{left}-{top}",
    }


def summary(kind: str, text: str, confidence: float, **extra: Any) -> dict[str, Any]:
    return {
        "Type": {"Text": kind, "Confidence": 99.0},
        "LabelDetection": {"Text": kind.title(), "Confidence": 95.0},
        "ValueDetection": {"Text": text, "Confidence": confidence, "Geometry": box(0.6, 0.5)},
        "PageNumber": 1,
        **extra,
    }


GROCERY = {
    "DocumentMetadata": {"Pages": 1},
    "ExpenseDocuments": [
        {
            "ExpenseIndex": 1,
            "SummaryFields": [
                summary("VENDOR_NAME", "Corner Grocer", 98.5),
                summary("INVOICE_RECEIPT_DATE", "11/24/2026", 97.0),
                summary("SUBTOTAL", "$5.49", 99.0),
                summary("TOTAL", "$5.93", 99.1, Currency={"Code": "USD", "Confidence": 90.0}),
                summary("AMOUNT_PAID", "$20.00", 95.0),
            ],
            "LineItemGroups": [
                {
                    "LineItemGroupIndex": 1,
                    "LineItems": [
                        {
                            "LineItemExpenseFields": [
                                summary("ITEM", "Milk", 99.0),
                                summary("PRICE", "1.99", 99.0),
                            ]
                        }
                    ],
                }
            ],
            "Blocks": [
                line("CORNER GROCER", 0.1, 0.05),
                line("11/24/2026", 0.1, 0.10),
                line("Milk", 0.1, 0.20),
                line("1.99", 0.7, 0.201),
                line("Bread", 0.1, 0.25),
                line("3.50", 0.7, 0.249),
                line("SUBTOTAL", 0.1, 0.35),
                line("5.49", 0.7, 0.35),
                line("TOTAL", 0.1, 0.45),
                line("$5.93", 0.7, 0.45),
                line("CASH", 0.1, 0.50),
                line("$20.00", 0.7, 0.50),
            ],
        }
    ],
}


@pytest.fixture
def client() -> Iterator[tuple[Any, Stubber]]:
    textract = boto3.client(
        "textract",
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(textract) as stubber:
        yield textract, stubber
        stubber.assert_no_pending_responses()


def test_summary_fields_and_lines_become_the_expense(client: tuple[Any, Stubber]) -> None:
    textract, stubber = client
    stubber.add_response("analyze_expense", GROCERY, {"Document": {"Bytes": IMAGE}})
    text = TextractReader(textract).read(IMAGE, "image/jpeg")
    fields = extract(group_rows(text.lines), default_currency="EUR", hints=text.hints)
    assert (fields.merchant, fields.date, fields.total, fields.currency) == (
        "Corner Grocer",
        date(2026, 11, 24),
        Decimal("5.93"),
        "USD",
    )
    assert fields.confidence["total"] == pytest.approx(0.99)
    assert [item.description for item in fields.line_items] == ["Milk", "Bread"]


def test_lines_on_one_row_are_joined_by_their_boxes(client: tuple[Any, Stubber]) -> None:
    textract, stubber = client
    stubber.add_response("analyze_expense", GROCERY, {"Document": {"Bytes": IMAGE}})
    rows = group_rows(TextractReader(textract).read(IMAGE, "image/jpeg").lines)
    assert "TOTAL  $5.93" in [row.text for row in rows]


def test_without_typed_fields_the_text_still_gives_the_total(
    client: tuple[Any, Stubber],
) -> None:
    textract, stubber = client
    bare = {"ExpenseDocuments": [{**GROCERY["ExpenseDocuments"][0], "SummaryFields": []}]}  # type: ignore[index]
    stubber.add_response("analyze_expense", bare, {"Document": {"Bytes": IMAGE}})
    text = TextractReader(textract).read(IMAGE, "image/jpeg")
    fields = extract(group_rows(text.lines), default_currency="USD", locale="en-US")
    assert (fields.total, fields.date) == (Decimal("5.93"), date(2026, 11, 24))


def test_a_document_textract_refuses_is_unreadable(client: tuple[Any, Stubber]) -> None:
    textract, stubber = client
    stubber.add_client_error(
        "analyze_expense", "UnsupportedDocumentException", http_status_code=400
    )
    with pytest.raises(UnreadableImage):
        TextractReader(textract).read(IMAGE, "image/jpeg")


def test_throttling_is_left_to_the_jobs_retry(client: tuple[Any, Stubber]) -> None:
    textract, stubber = client
    stubber.add_client_error(
        "analyze_expense", "ProvisionedThroughputExceededException", http_status_code=400
    )
    with pytest.raises(Exception) as caught:
        TextractReader(textract).read(IMAGE, "image/jpeg")
    assert not isinstance(caught.value, UnreadableImage)
