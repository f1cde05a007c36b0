"""Request and response bodies of budgets, recurring series and alerts (strict, no extras)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, StrictStr
from pydantic.json_schema import SkipJsonSchema

from ...domain.recurrence import RULE_MAX
from .schemas import (
    AmountIn,
    CategoryIn,
    CurrencyIn,
    DateIn,
    DescriptionIn,
    OwnerField,
    Schema,
    Strict,
)

PeriodIn = Literal["month", "year"]


class BudgetCreate(Strict):
    category: CategoryIn | None = Field(default=None, description="null: all spending")
    amount: AmountIn
    currency: CurrencyIn | None = Field(default=None, description="Default: the home currency")
    period: PeriodIn = "month"
    userId: OwnerField = None
    user_id: OwnerField = None


class BudgetUpdate(Strict):
    category: CategoryIn | None = None
    amount: AmountIn | SkipJsonSchema[None] = None
    currency: CurrencyIn | SkipJsonSchema[None] = None
    period: PeriodIn | SkipJsonSchema[None] = None
    userId: OwnerField = None
    user_id: OwnerField = None


class BudgetOut(Schema):
    id: str
    category: str | None
    amount: str
    currency: str
    period: PeriodIn
    version: int


class BudgetList(Schema):
    items: list[BudgetOut]
    next_cursor: str | None


class MissingOut(Schema):
    currency: str
    count: int
    amount: str = Field(description="In its own currency: no rate to convert it that day")


class BudgetStatusOut(Schema):
    budget_id: str
    category: str | None
    currency: str
    period: PeriodIn
    limit: str
    spent: str
    remaining: str = Field(description="limit - spent; negative when over")
    projected: str = Field(description="spent extrapolated linearly to the period's end")
    status: Literal["ok", "at_risk", "over"]
    missing: list[MissingOut] = Field(
        description="Spending left out of `spent` because no rate converts it (per currency)"
    )


class BudgetStatusList(Schema):
    month: str
    items: list[BudgetStatusOut]


class RecurringCreate(Strict):
    amount: AmountIn
    currency: CurrencyIn | None = Field(default=None, description="Default: the user's")
    category: CategoryIn
    description: DescriptionIn = ""
    rule: StrictStr = Field(
        max_length=RULE_MAX,
        description="An RFC 5545 RRULE of at most one occurrence a day",
        examples=["FREQ=MONTHLY;BYMONTHDAY=1"],
    )
    start: DateIn | None = Field(default=None, description="Default: today (UTC)")
    until: DateIn | None = None
    userId: OwnerField = None
    user_id: OwnerField = None


class RecurringUpdate(Strict):
    amount: AmountIn | SkipJsonSchema[None] = None
    currency: CurrencyIn | SkipJsonSchema[None] = None
    category: CategoryIn | SkipJsonSchema[None] = None
    description: DescriptionIn | None = None
    rule: StrictStr | SkipJsonSchema[None] = Field(default=None, max_length=RULE_MAX)
    start: DateIn | SkipJsonSchema[None] = None
    until: DateIn | None = None
    userId: OwnerField = None
    user_id: OwnerField = None


class RecurringOut(Schema):
    id: str
    amount: str
    currency: str
    category: str
    description: str
    rule: str
    start: str
    until: str | None
    next: str | None = Field(description="The next occurrence not yet added; null: none left")
    version: int


class RecurringList(Schema):
    items: list[RecurringOut]
    next_cursor: str | None


class AlertOut(Schema):
    id: str
    kind: Literal["budget_at_risk", "budget_over", "possible_duplicate"]
    created_at: str
    message: str
    refs: dict[str, str]


class AlertList(Schema):
    items: list[AlertOut]
    next_cursor: str | None


class AlertSettings(Strict):
    emails: StrictBool = Field(description="E-mail new alerts (when the server can send mail)")


class AlertSettingsOut(Schema):
    emails: bool
