"""The Expense entity, its drafts and changes, and their validation rules."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .errors import FieldError, Invalid
from .money import format_amount, parse_amount, parse_currency

CATEGORY_MAX = 64
DESCRIPTION_MAX = 500
DEFAULT_CATEGORIES = (
    "Food",
    "Groceries",
    "Transport",
    "Housing",
    "Utilities",
    "Health",
    "Entertainment",
    "Shopping",
    "Travel",
    "Other",
)
MIN_DATE = date(1970, 1, 1)
MAX_DATE = date(9999, 12, 31)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Receipt:
    content_type: str
    size: int
    uploaded_at: datetime
    key: str  # where the bytes live in the receipt store; never shown to clients


@dataclass(frozen=True)
class Expense:
    id: str
    user_id: str
    amount: Decimal
    currency: str
    category: str
    description: str
    date: date
    created_at: datetime
    updated_at: datetime
    version: int = 1
    receipt: Receipt | None = None
    recurring_id: str | None = None  # the recurring series that made it, if any

    @property
    def amount_text(self) -> str:
        return format_amount(self.amount, self.currency)


@dataclass(frozen=True)
class ExpenseDraft:
    """A validated new expense, before it has an id and an owner."""

    amount: Decimal
    currency: str
    category: str
    description: str
    date: date


@dataclass(frozen=True)
class ExpenseChanges:
    """A validated partial update; None means 'leave as it is'."""

    amount: Decimal | None = None
    currency: str | None = None
    category: str | None = None
    description: str | None = None
    date: date | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in dataclasses.fields(self))


@dataclass(frozen=True)
class ExpenseFilter:
    date_from: date | None = None
    date_to: date | None = None
    category: str | None = None
    text: str | None = None
    # Exactly this amount in this currency (the duplicate check's narrowing: one indexed read
    # of the few candidates, not every expense around the date).
    money: tuple[Decimal, str] | None = None

    def matches(self, expense: Expense) -> bool:
        if self.date_from and expense.date < self.date_from:
            return False
        if self.money is not None and (expense.amount, expense.currency) != self.money:
            return False
        if self.date_to and expense.date > self.date_to:
            return False
        if self.category is not None and expense.category.casefold() != self.category.casefold():
            return False
        if self.text:
            # Each field on its own, so a needle never matches across the two.
            needle = self.text.casefold()
            fields = (expense.description.casefold(), expense.category.casefold())
            if not any(needle in field for field in fields):
                return False
        return True


@dataclass(frozen=True)
class Position:
    """Keyset position in the newest-first order: (date desc, id desc)."""

    date: date
    id: str


@dataclass(frozen=True)
class ExpensePage:
    items: list[Expense]
    next: Position | None


@dataclass(frozen=True)
class CategoryCount:
    name: str
    count: int


@dataclass(frozen=True)
class RawExpense:
    """Untrusted input as it came in (JSON body, CSV row); validated by `validate_draft`."""

    amount: Any
    currency: Any = None
    category: Any = None
    description: Any = ""
    date: Any = None


def clean_category(value: object, field_name: str = "category") -> str:
    if not isinstance(value, str):
        raise Invalid(FieldError(field_name, "must be text"))
    text = " ".join(value.split())
    if not 1 <= len(text) <= CATEGORY_MAX:
        raise Invalid(FieldError(field_name, f"must be 1 to {CATEGORY_MAX} characters"))
    if _has_control(text, allowed=""):
        raise Invalid(FieldError(field_name, CONTROL_MESSAGE))
    if not any(_visible(c) for c in text):
        raise Invalid(FieldError(field_name, "must contain a visible character"))
    return text


CONTROL_MESSAGE = "must not contain control characters or bidirectional overrides"
# Overrides, embeddings and isolates reorder what a reader sees ("Trojan Source"); the
# plain left-to-right and right-to-left marks stay allowed for mixed-direction text.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters that draw nothing (Hangul fillers, the blank Braille pattern).
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
# The same sets as the per-character test below, as one regex search each: imports validate
# 100k rows, and a Python test per character was a third of their validation time.
_CONTROL_PATTERNS = {
    "": re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"),
    "\n\t": re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"),
}


def _has_control(text: str, allowed: str) -> bool:
    """C0 and C1 controls, DEL, and bidirectional overrides (other than `allowed`)."""
    pattern = _CONTROL_PATTERNS.get(allowed)
    if pattern is not None:
        return pattern.search(text) is not None
    return any(
        ord(c) < 32 or 127 <= ord(c) <= 159 or c in BIDI_CONTROLS for c in text if c not in allowed
    )


def _visible(char: str) -> bool:
    return char not in BLANK_LETTERS and unicodedata.category(char) not in INVISIBLE_CATEGORIES


def clean_description(value: object, field_name: str = "description") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(FieldError(field_name, "must be text"))
    text = value.strip()
    if len(text) > DESCRIPTION_MAX:
        raise Invalid(FieldError(field_name, f"must be at most {DESCRIPTION_MAX} characters"))
    if _has_control(text, allowed="\n\t"):
        raise Invalid(FieldError(field_name, CONTROL_MESSAGE))
    return text


def clean_date(value: object, field_name: str = "date") -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and _ISO_DAY.fullmatch(value):
        # Only YYYY-MM-DD: date.fromisoformat would also take week dates such as 2026-W47-2.
        try:
            parsed = date.fromisoformat(value)
        except ValueError as exc:
            raise Invalid(FieldError(field_name, "must be a date as YYYY-MM-DD")) from exc
    else:
        raise Invalid(FieldError(field_name, "must be a date as YYYY-MM-DD"))
    if not MIN_DATE <= parsed <= MAX_DATE:
        raise Invalid(FieldError(field_name, "must be between 1970-01-01 and 9999-12-31"))
    return parsed


def _collect(errors: list[FieldError], fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except Invalid as exc:
        errors.extend(exc.errors)
        return None


def validate_draft(raw: RawExpense, *, default_currency: str, today: date) -> ExpenseDraft:
    """Validate every field and report all problems at once."""
    errors: list[FieldError] = []
    currency = _collect(errors, parse_currency, raw.currency or default_currency)
    amount: Decimal | None = None
    if currency:
        amount = _collect(errors, parse_amount, raw.amount, currency)
    if raw.amount is None:
        errors = [e for e in errors if e.field != "amount"] + [FieldError("amount", "is required")]
    category = _collect(errors, clean_category, raw.category if raw.category is not None else "")
    description = _collect(errors, clean_description, raw.description)
    spent_on = _collect(errors, clean_date, raw.date) if raw.date is not None else today
    if errors or amount is None:
        raise Invalid(errors)
    return ExpenseDraft(amount, currency, category, description, spent_on)


def validate_changes(raw: dict[str, Any], current_currency: str) -> ExpenseChanges:
    """Validate a PATCH; the amount is checked against the currency it will have."""
    errors: list[FieldError] = []
    for name in ("amount", "currency", "category", "date"):
        if name in raw and raw[name] is None:
            errors.append(FieldError(name, "must not be null"))
    currency = None
    if raw.get("currency") is not None:
        currency = _collect(errors, parse_currency, raw["currency"])
    amount = None
    if raw.get("amount") is not None and (currency or "currency" not in raw):
        amount = _collect(errors, parse_amount, raw["amount"], currency or current_currency)
    category = None
    if raw.get("category") is not None:
        category = _collect(errors, clean_category, raw["category"])
    description = None
    if "description" in raw:
        description = _collect(errors, clean_description, raw["description"])
    spent_on = _collect(errors, clean_date, raw["date"]) if raw.get("date") is not None else None
    if errors:
        raise Invalid(errors)
    return ExpenseChanges(amount, currency, category, description, spent_on)


def apply_changes(expense: Expense, changes: ExpenseChanges, now: datetime) -> Expense:
    """The expense after a change; a new currency re-checks the amount's digits."""
    currency = changes.currency or expense.currency
    amount = changes.amount if changes.amount is not None else expense.amount
    amount = parse_amount(amount, currency)
    return dataclasses.replace(
        expense,
        amount=amount,
        currency=currency,
        category=changes.category if changes.category is not None else expense.category,
        description=(
            changes.description if changes.description is not None else expense.description
        ),
        date=changes.date or expense.date,
        updated_at=now,
        version=expense.version + 1,
    )


def with_receipt(expense: Expense, receipt: Receipt | None, now: datetime) -> Expense:
    """The expense with its receipt set or removed, one version later."""
    return dataclasses.replace(
        expense, receipt=receipt, updated_at=now, version=expense.version + 1
    )
