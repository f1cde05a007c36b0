"""Receipt scans: which files may be scanned, where a scan's photo lives, and the fields a
finished scan reports (JSON-able, as jobs are stored as JSON)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .errors import FieldError, Invalid
from .receipt_fields import ReceiptFields
from .receipts import HEIC, JPEG, PNG, WEBP, check_upload_request, receipt_prefix

SCAN_KIND = "scan"
SCAN_TYPES = (JPEG, PNG, WEBP, HEIC)  # photos; a PDF receipt is attached, not scanned
LOW_CONFIDENCE = 0.8  # below this the page asks the user to check the field
# A scan's photo that no expense took is removed this long after it was stored (the scan
# finishes seconds later): locally by the background sweep, on S3 by a lifecycle rule (whole
# days), and the scan's record on DynamoDB by the table's TTL.
SCAN_RETENTION = timedelta(hours=24)


def check_scan_request(content_type: str, size: int) -> str:
    declared = check_upload_request(content_type, size)
    if declared not in SCAN_TYPES:
        raise Invalid(FieldError("content_type", f"must be one of {', '.join(SCAN_TYPES)}"))
    return declared


def scan_prefix(user_id: str, scan_id: str) -> str:
    # users/<user>/scans/<scan>/: not a receipt key, so receipt garbage collection leaves it
    return receipt_prefix(user_id, scan_id).replace("/receipts/", "/scans/")


def is_scan_key(key: str) -> bool:
    """A scan's upload or photo: users/<user>/scans/<scan>/<name>."""
    parts = key.split("/")
    return len(parts) == 5 and parts[0] == "users" and parts[2] == "scans" and all(parts)


def scan_upload_key(user_id: str, scan_id: str) -> str:
    return scan_prefix(user_id, scan_id) + "pending"


def scan_image_key(user_id: str, scan_id: str) -> str:
    """The checked photo (GPS removed), until an expense takes it."""
    return scan_prefix(user_id, scan_id) + "image"


def fields_json(fields: ReceiptFields) -> dict[str, Any]:
    return {
        "merchant": fields.merchant,
        "date": fields.date.isoformat() if fields.date else None,
        "total": str(fields.total) if fields.total is not None else None,
        "currency": fields.currency,
        "line_items": [
            {"description": item.description, "amount": str(item.amount)}
            for item in fields.line_items
        ],
    }
