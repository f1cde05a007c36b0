"""Receipt rules: what may be uploaded, how big, what the bytes really are, and where they live.

Pure Python: the image decoding (Pillow) is in services/receipt_images.py."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import FieldError, Invalid

JPEG, PNG, WEBP, HEIC, PDF = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "application/pdf",
)
ALLOWED_TYPES = (JPEG, PNG, WEBP, HEIC, PDF)
MAX_RECEIPT_BYTES = 10 * 1024 * 1024
TICKET_SECONDS = 300  # an upload ticket's lifetime (the contract allows at most five minutes)
VIEW_SECONDS = 300  # a view link's lifetime (at most five minutes)
HEAD_BYTES = 64  # enough for every magic number below
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", HEIC: "heic", PDF: "pdf"}

# HEIF brands of still images; AVIF ('avif') and video brands are not receipts.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
PENDING = "pending"
_SEGMENT = re.compile(r"[A-Za-z0-9_-]{1,128}")
# Markup a browser could run if it ever treated the file as a page. Only markers long enough
# not to turn up by chance in compressed image data (a short one such as "<svg" would,
# roughly once in a few thousand photos), and "<svg" only where browsers sniff: the start.
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|!doctype|\?php)[\s>/]|javascript:", re.IGNORECASE
)
_MARKUP_AT_START = re.compile(rb"<(?:svg|xml|\?xml|!--)", re.IGNORECASE)
SNIFF_WINDOW = 1024


@dataclass(frozen=True)
class ReceiptKey:
    """The parts of a key `users/<user>/receipts/<expense>/<name>`."""

    user_id: str
    expense_id: str
    name: str

    @property
    def is_pending(self) -> bool:
        return self.name == PENDING


def check_upload_request(content_type: str, size: int) -> str:
    """The declared type, normalised; Invalid naming every wrong field."""
    errors: list[FieldError] = []
    normalised = content_type.strip().lower()
    if normalised not in ALLOWED_TYPES:
        errors.append(FieldError("content_type", f"must be one of {', '.join(ALLOWED_TYPES)}"))
    if not 1 <= size <= MAX_RECEIPT_BYTES:
        errors.append(FieldError("size", f"must be 1 to {MAX_RECEIPT_BYTES} bytes"))
    if errors:
        raise Invalid(errors)
    return normalised


def sniff(head: bytes) -> str | None:
    """The allowed type these first bytes announce, by magic number; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def contains_markup(data: bytes) -> bool:
    """HTML, SVG or script hidden in a file (a polyglot)."""
    return bool(_MARKUP.search(data) or _MARKUP_AT_START.search(data, 0, SNIFF_WINDOW))


def check_pdf(data: bytes) -> None:
    """A whole PDF: a header and an end marker. Its content is parsed and checked for scripts,
    actions and attachments in services/receipt_pdf.py (a real PDF parser, not patterns)."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise not_a(PDF)


def not_a(content_type: str) -> Invalid:
    return Invalid(FieldError("file", f"the uploaded bytes are not a valid {content_type} file"))


def _segment(value: str, name: str) -> str:
    if not _SEGMENT.fullmatch(value):
        raise Invalid(FieldError(name, "is not a valid identifier"))
    return value


def receipt_prefix(user_id: str, expense_id: str) -> str:
    return f"users/{_segment(user_id, 'user_id')}/receipts/{_segment(expense_id, 'id')}/"


def pending_key(user_id: str, expense_id: str) -> str:
    """Where the one upload in progress for an expense lands (so confirm knows where to look)."""
    return receipt_prefix(user_id, expense_id) + PENDING


def receipt_key(user_id: str, expense_id: str, receipt_id: str) -> str:
    return receipt_prefix(user_id, expense_id) + _segment(receipt_id, "receipt_id")


def parse_key(key: str) -> ReceiptKey | None:
    """The parts of a receipt key, or None when the key is not one of ours."""
    parts = key.split("/")
    if len(parts) != 5 or parts[0] != "users" or parts[2] != "receipts":
        return None
    if not all(_SEGMENT.fullmatch(p) for p in (parts[1], parts[3], parts[4])):
        return None
    return ReceiptKey(parts[1], parts[3], parts[4])
