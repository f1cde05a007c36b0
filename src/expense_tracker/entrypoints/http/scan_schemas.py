"""Request and response shapes of /api/scans (apart from schemas.py, which many features edit)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictStr, WithJsonSchema
from pydantic_core import PydanticCustomError

from ...domain.receipts import MAX_RECEIPT_BYTES
from ...domain.scans import SCAN_TYPES
from .schemas import Schema, Strict, UploadTicketOut, WholeNumber


def _scan_type(value: str) -> str:
    if value not in SCAN_TYPES:
        raise PydanticCustomError("scan_type", f"must be one of {', '.join(SCAN_TYPES)}")
    return value


class ScanRequest(Strict):
    content_type: Annotated[
        StrictStr,
        AfterValidator(_scan_type),
        WithJsonSchema({"type": "string", "enum": list(SCAN_TYPES)}),
    ]
    size: WholeNumber = Field(ge=1, le=MAX_RECEIPT_BYTES, description="Bytes")


class ScanCreated(Schema):
    id: str
    upload: UploadTicketOut


class LineItemOut(Schema):
    description: str
    amount: str = Field(examples=["3.50"])


class ScanFieldsOut(Schema):
    merchant: str | None
    date: str | None = Field(description="YYYY-MM-DD")
    total: str | None = Field(examples=["12.50"])
    currency: str | None
    line_items: list[LineItemOut]


class ScanConfidenceOut(Schema):
    """0..1 per field; below 0.8 the page asks the user to check it."""

    merchant: float
    date: float
    total: float
    currency: float


class ScanOut(Schema):
    id: str
    status: Literal["waiting_upload", "queued", "running", "done", "failed"]
    fields: ScanFieldsOut | None = Field(description="null until the scan is done")
    confidence: ScanConfidenceOut | None = Field(description="null until the scan is done")
