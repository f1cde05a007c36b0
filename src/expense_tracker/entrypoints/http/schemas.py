"""Request and response bodies, apart from the domain. Strict: no coercion, no extra fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

AmountIn = Annotated[
    StrictStr | StrictInt | StrictFloat,
    Field(
        description='A decimal string such as "12.50"; a JSON number must be exact',
        examples=["12.50"],
    ),
]
OWNER_FIELD_NOTE = "Ignored: the owner is always the token's subject"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ExpenseCreate(Strict):
    amount: AmountIn
    currency: StrictStr | None = Field(default=None, description="ISO 4217; default: the user's")
    category: StrictStr = Field(min_length=1, max_length=200, examples=["Food"])
    description: StrictStr = Field(default="", max_length=2000)
    date: StrictStr | None = Field(default=None, description="YYYY-MM-DD; default: today")
    userId: StrictStr | None = Field(default=None, description=OWNER_FIELD_NOTE, deprecated=True)
    user_id: StrictStr | None = Field(default=None, description=OWNER_FIELD_NOTE, deprecated=True)


class ExpenseUpdate(Strict):
    amount: AmountIn | None = None
    currency: StrictStr | None = None
    category: StrictStr | None = Field(default=None, max_length=200)
    description: StrictStr | None = Field(default=None, max_length=2000)
    date: StrictStr | None = None
    userId: StrictStr | None = Field(default=None, description=OWNER_FIELD_NOTE, deprecated=True)
    user_id: StrictStr | None = Field(default=None, description=OWNER_FIELD_NOTE, deprecated=True)


class ReceiptOut(BaseModel):
    content_type: str
    size: int
    uploaded_at: str


class ExpenseOut(BaseModel):
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


class ExpenseList(BaseModel):
    items: list[ExpenseOut]
    next_cursor: str | None


class CategoryOut(BaseModel):
    name: str
    count: int


class CategoryList(BaseModel):
    items: list[CategoryOut]


class CurrencyTotalOut(BaseModel):
    currency: str
    amount: str
    count: int


class CategoryTotalOut(BaseModel):
    category: str
    currency: str
    amount: str
    count: int


class MonthTotalOut(BaseModel):
    month: str
    currency: str
    amount: str
    count: int


class SummaryOut(BaseModel):
    from_: str | None = Field(alias="from")
    to: str | None
    totals: list[CurrencyTotalOut]
    by_category: list[CategoryTotalOut]
    by_month: list[MonthTotalOut]


class ImportLineError(BaseModel):
    line: int
    message: str


class ImportOut(BaseModel):
    imported: int
    errors: list[ImportLineError]


class Credentials(Strict):
    email: StrictStr = Field(max_length=320, examples=["ada@example.com"])
    password: StrictStr = Field(max_length=1024)


class ConfirmIn(Strict):
    email: StrictStr = Field(max_length=320)
    code: StrictStr = Field(max_length=64)


class RefreshIn(Strict):
    refresh_token: StrictStr = Field(max_length=4096)


class SignupOut(BaseModel):
    user_id: str
    email: str
    confirmation_required: bool


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int


class MeOut(BaseModel):
    user_id: str
    email: str
    default_currency: str


class MeUpdate(Strict):
    default_currency: StrictStr


class HealthOut(BaseModel):
    status: str
    version: str


class UploadRequest(Strict):
    content_type: StrictStr
    size: StrictInt


class UploadTicketOut(BaseModel):
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None
