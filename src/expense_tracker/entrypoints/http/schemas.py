"""Request and response bodies, apart from the domain. Strict: no coercion, no extra fields."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from ...domain.currencies import MINOR_UNITS
from ...domain.expense import CATEGORY_MAX, DESCRIPTION_MAX
from ...domain.receipts import ALLOWED_TYPES, MAX_RECEIPT_BYTES

# Up to 10^12 with up to four decimals (the most any currency has); the domain checks the rest.
AMOUNT_PATTERN = re.compile(r"^([0-9]{1,12}(\.[0-9]{1,4})?|1000000000000(\.0{1,4})?)$")


def _amount_in(value: Any) -> str | int | float:
    """One type check for a string or a JSON number, so an error names `amount` once (a
    pydantic union would report `amount.str`, `amount.int`...). The domain checks the value
    (more than 0, at most 10^12, the currency's digits)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PydanticCustomError("amount_type", 'must be a decimal string such as "12.50"')
    if isinstance(value, str) and not AMOUNT_PATTERN.match(value):
        raise PydanticCustomError("amount_format", 'must be a decimal string such as "12.50"')
    return value


AmountIn = Annotated[
    str | int | float,
    PlainValidator(_amount_in),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": AMOUNT_PATTERN.pattern},
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000_000_000},
            ],
            "description": (
                'A decimal string such as "12.50", or an exact JSON number; more than 0, at'
                " most 1000000000000, with at most the currency's minor-unit digits"
                " (USD 2, JPY 0, KWD 3)"
            ),
            "examples": ["12.50"],
        }
    ),
]
# What the domain takes, said in the schema: no control characters, something besides spaces.
CATEGORY_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
DESCRIPTION_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"
DATE_PATTERN = r"^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$"  # 1970-01-01 to 9999-12-31


def _currency(value: str) -> str:
    """Checked here too: the domain reads an empty currency as 'the default' (a blank CSV
    cell), which a JSON body must not get away with."""
    if value not in MINOR_UNITS:
        raise PydanticCustomError(
            "currency", "must be an ISO 4217 currency code such as EUR or USD"
        )
    return value


CurrencyIn = Annotated[
    StrictStr,
    AfterValidator(_currency),
    WithJsonSchema(
        {"type": "string", "enum": sorted(MINOR_UNITS), "description": "An ISO 4217 code"}
    ),
]
CategoryIn = Annotated[
    StrictStr,
    Field(min_length=1, max_length=CATEGORY_MAX, pattern=CATEGORY_PATTERN, examples=["Food"]),
]
DescriptionIn = Annotated[StrictStr, Field(max_length=DESCRIPTION_MAX, pattern=DESCRIPTION_PATTERN)]
DateIn = Annotated[
    StrictStr,
    Field(pattern=DATE_PATTERN, json_schema_extra={"format": "date"}, examples=["2026-11-24"]),
]
# An owner field in a body is accepted and ignored: the owner is always the token's subject.
# It stays out of the schema, where it would read as a reference to some user to pick.
OwnerField = SkipJsonSchema[StrictStr | None]


class Schema(BaseModel):
    """The base of the answer models: each is built on first use, not at import. FastAPI's
    adapter for a route's answer takes the model's config, so it waits too: a Lambda cold
    start builds only what its first requests send back. (Bodies, `Strict`, are built at
    import: FastAPI's body adapter warns when built outside its own route set-up.)"""

    model_config = ConfigDict(defer_build=True)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ExpenseCreate(Strict):
    """A new expense. The owner is the token's subject; a `userId` or `user_id` is ignored."""

    amount: AmountIn
    currency: CurrencyIn | None = Field(default=None, description="Default: the user's")
    category: CategoryIn
    description: DescriptionIn = ""
    date: DateIn | None = Field(default=None, description="YYYY-MM-DD; default: today (UTC)")
    scan_id: StrictStr | None = Field(
        default=None,
        max_length=128,
        description="A finished scan: its photo becomes the expense's receipt (once)",
    )
    userId: OwnerField = None
    user_id: OwnerField = None


class ExpenseUpdate(Strict):
    """Only the fields sent change. A null is refused (SkipJsonSchema keeps it out of the
    schema, and the domain says which field), except for description, where it means ''."""

    amount: AmountIn | SkipJsonSchema[None] = None
    currency: CurrencyIn | SkipJsonSchema[None] = None
    category: CategoryIn | SkipJsonSchema[None] = None
    description: DescriptionIn | None = None
    date: DateIn | SkipJsonSchema[None] = None
    userId: OwnerField = None
    user_id: OwnerField = None


class ReceiptOut(Schema):
    content_type: str
    size: int
    uploaded_at: str


class ExpenseOut(Schema):
    id: str
    amount: str = Field(examples=["12.50"])
    currency: str
    category: str
    description: str
    date: str
    receipt: ReceiptOut | None
    created_at: str
    updated_at: str
    version: int
    recurring_id: str | None = Field(
        description="The recurring series that added it (null: added by hand or import)"
    )


class ExpenseList(Schema):
    items: list[ExpenseOut]
    next_cursor: str | None


class CategoryOut(Schema):
    name: str
    count: int


class CategoryList(Schema):
    items: list[CategoryOut]


class CurrencyTotalOut(Schema):
    currency: str
    amount: str
    count: int


HOME_AMOUNT = (
    "The row's expenses in the home currency, each day at its own ECB rate, rounded once; "
    "null when none of them could be converted (see home.missing)"
)


class CategoryTotalOut(Schema):
    category: str
    currency: str
    amount: str
    count: int
    home_amount: str | None = Field(description=HOME_AMOUNT)


class MonthTotalOut(Schema):
    month: str
    currency: str
    amount: str
    count: int
    home_amount: str | None = Field(description=HOME_AMOUNT)


class MissingRateOut(Schema):
    currency: str
    count: int = Field(description="Expenses without an ECB rate on their date, left out")


class HomeTotalOut(Schema):
    currency: str = Field(description="The user's home currency")
    amount: str = Field(description="Every convertible expense at its date's rate, rounded once")
    missing: list[MissingRateOut]


class SummaryOut(Schema):
    from_: str | None = Field(alias="from")
    to: str | None
    totals: list[CurrencyTotalOut]
    by_category: list[CategoryTotalOut]
    by_month: list[MonthTotalOut]
    home: HomeTotalOut


class RatesOut(Schema):
    base: str
    date: str = Field(description="The day asked for")
    as_of: str = Field(description="The ECB business day whose rates these are")
    source: str
    rates: dict[str, str] = Field(description="Units of each currency per 1 base, as decimals")


class ImportLineError(Schema):
    line: int
    message: str


class ImportOut(Schema):
    imported: int
    errors: list[ImportLineError] = Field(description="The first 100 bad lines")
    error_count: int = Field(description="How many lines were bad in all")


class HealthOut(Schema):
    status: str
    version: str


def _integral_float(value: Any) -> Any:
    """`5.0` is an integer to JSON Schema, so it is one here too; anything else goes on to
    the strict int check as it came."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[StrictInt, BeforeValidator(_integral_float)]


def _receipt_type(value: str) -> str:
    if value not in ALLOWED_TYPES:
        raise PydanticCustomError("receipt_type", f"must be one of {', '.join(ALLOWED_TYPES)}")
    return value


class UploadRequest(Strict):
    content_type: Annotated[
        StrictStr,
        AfterValidator(_receipt_type),
        WithJsonSchema({"type": "string", "enum": list(ALLOWED_TYPES)}),
    ]
    size: WholeNumber = Field(ge=1, le=MAX_RECEIPT_BYTES, description="Bytes")


class UploadTicketOut(Schema):
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None
