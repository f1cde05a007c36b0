"""Request and response bodies of the import jobs and the categorisation rules."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, StrictStr
from pydantic.json_schema import SkipJsonSchema

from ...domain.imports import CONTAINS_MAX, MAX_IMPORT_BYTES
from .schemas import CategoryIn, Schema, Strict, UploadTicketOut, WholeNumber

ImportFormat = Literal["csv", "ofx", "qif", "camt053", "mt940"]
ImportStatus = Literal["waiting_upload", "queued", "running", "done", "failed"]


class ColumnMappingIn(Strict):
    """How to read a bank's own CSV: which column holds what (by header name), and how the
    bank writes dates and amounts. Without a mapping a CSV must have the export's header."""

    date: StrictStr = Field(min_length=1, max_length=100, description="The date column")
    amount: StrictStr = Field(min_length=1, max_length=100, description="The amount column")
    description: StrictStr | None = Field(default=None, min_length=1, max_length=100)
    currency: StrictStr | None = Field(
        default=None, min_length=1, max_length=100, description="Default: the user's currency"
    )
    category: StrictStr | None = Field(
        default=None, min_length=1, max_length=100, description="Default: the rules decide"
    )
    date_format: StrictStr = Field(
        default="%Y-%m-%d",
        min_length=2,
        max_length=40,
        pattern=r"%",
        description="strptime codes: %d.%m.%Y (de), %d/%m/%Y (en-GB), %m/%d/%Y (en-US)...",
    )
    decimal: Literal[".", ","] = Field(
        default=".", description="The decimal separator; the other one is read as grouping"
    )
    expenses_are: Literal["negative", "positive"] = Field(
        default="negative", description="The sign of money out; the other sign is skipped"
    )
    delimiter: Literal[",", ";", "\t", "|"] | None = Field(
        default=None, description="Default: guessed from the first lines"
    )


class ImportCreate(Strict):
    format: ImportFormat
    size: WholeNumber = Field(ge=1, le=MAX_IMPORT_BYTES, description="The file's size in bytes")
    partial: StrictBool = Field(
        default=False, description="Store the good rows even when some lines are bad"
    )
    mapping: ColumnMappingIn | None = Field(default=None, description="CSV only")
    day_first: StrictBool = Field(
        default=False, description="QIF only: dates such as 03/11/2026 are day first"
    )


class ImportCreated(Schema):
    id: str
    upload: UploadTicketOut


class ImportLineErrorOut(Schema):
    line: int
    message: str


class ImportJobOut(Schema):
    id: str
    format: ImportFormat
    status: ImportStatus
    processed: int
    imported: int
    duplicates: int
    skipped: int
    error_count: int
    errors: list[ImportLineErrorOut] = Field(description="The first 100")


class ImportJobList(Schema):
    items: list[ImportJobOut]
    next_cursor: str | None


class RuleCreate(Strict):
    contains: StrictStr = Field(min_length=1, max_length=CONTAINS_MAX, examples=["tesco"])
    category: CategoryIn


class RuleUpdate(Strict):
    contains: StrictStr | SkipJsonSchema[None] = Field(
        default=None, min_length=1, max_length=CONTAINS_MAX
    )
    category: CategoryIn | SkipJsonSchema[None] = None


class RuleOut(Schema):
    id: str
    contains: str
    category: str
    version: int


class RuleList(Schema):
    items: list[RuleOut]
    next_cursor: str | None
