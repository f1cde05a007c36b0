"""Import rules: categorisation rules, and the keys that make a re-imported row a duplicate."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .errors import FieldError, Invalid
from .expense import clean_category

UNCATEGORISED = "Uncategorised"
CONTAINS_MAX = 100
MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_LISTED_ERRORS = 100  # a job lists the first errors; error_count says how many in all
IMPORT_KIND = "import"


@dataclass(frozen=True)
class Rule:
    id: str
    user_id: str
    contains: str
    category: str
    version: int = 1


def clean_contains(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(FieldError("contains", "must be some text"))
    text = " ".join(value.split())
    if len(text) > CONTAINS_MAX:
        raise Invalid(FieldError("contains", f"must be at most {CONTAINS_MAX} characters"))
    return text


def validate_rule(contains: object, category: object) -> tuple[str, str]:
    errors: list[FieldError] = []
    cleaned: list[str] = []
    for check, value in ((clean_contains, contains), (clean_category, category)):
        try:
            cleaned.append(check(value))
        except Invalid as exc:
            errors.extend(exc.errors)
    if errors:
        raise Invalid(errors)
    return cleaned[0], cleaned[1]


def categorise(description: str, rules: Sequence[Rule]) -> str:
    """The category of the first rule whose text the description contains (any case)."""
    folded = description.casefold()
    for rule in rules:
        if rule.contains.casefold() in folded:
            return rule.category
    return UNCATEGORISED


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def id_key(expense_id: str) -> str:
    """A re-imported export: our own id."""
    return _digest("id", expense_id)


def bank_key(bank_id: str) -> str:
    """The bank's transaction id (FITID, AcctSvcrRef, EndToEndId...)."""
    return _digest("bank", bank_id)


def content_key(day: date, amount: Decimal, currency: str, description: str) -> str:
    """Files without ids: the row's (date, amount, currency, description). The import numbers
    equal rows of one file (`nth_key`), so two equal coffees on one statement are two
    expenses, and the same statement imported again matches both."""
    text = " ".join(description.casefold().split())
    return _digest("row", day.isoformat(), str(amount.normalize()), currency, text)


def nth_key(content: str, nth: int) -> str:
    return f"{content}.{nth}"
