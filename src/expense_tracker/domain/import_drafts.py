"""validate_draft for the rows of a statement, fast: an import validates 100k rows.

A statement's row is already typed (a Decimal, a date), and its currencies and categories
repeat, so each distinct one is checked once. Any row the fast checks do not pass goes through
validate_draft itself, so its result and its errors are exactly validate_draft's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .currencies import MINOR_UNITS
from .errors import Invalid
from .expense import (
    MAX_DATE,
    MIN_DATE,
    ExpenseDraft,
    RawExpense,
    clean_category,
    clean_description,
    validate_draft,
)
from .money import MAX_AMOUNT


class DraftMaker:
    def __init__(self, *, default_currency: str, today: date) -> None:
        self._default, self._today = default_currency, today
        self._categories: dict[str, str] = {}  # as given -> as cleaned (valid ones only)
        self._quanta = {code: Decimal(1).scaleb(-digits) for code, digits in MINOR_UNITS.items()}

    def draft(
        self, amount: Decimal, currency: str | None, category: str, description: str, day: date
    ) -> ExpenseDraft:
        """The row validated; Invalid naming every field at fault."""
        fast = self._fast(amount, currency or self._default, category, description, day)
        if fast is not None:
            return fast
        raw = RawExpense(amount, currency, category, description, day)
        return validate_draft(raw, default_currency=self._default, today=self._today)

    def _fast(
        self, amount: Decimal, currency: str, category: str, description: str, day: date
    ) -> ExpenseDraft | None:
        """The draft when the row is plainly valid; None to let validate_draft decide."""
        quantum = self._quanta.get(currency)
        if quantum is None or type(amount) is not Decimal or not amount.is_finite():
            return None
        if not 0 < amount <= MAX_AMOUNT:
            return None
        exact = amount.quantize(quantum)
        if exact != amount:  # more decimals than the currency has (parse_amount says so)
            return None
        if type(day) is not date or not MIN_DATE <= day <= MAX_DATE:
            return None  # (a datetime is a date too: validate_draft refuses it)
        cleaned = self._category(category)
        if cleaned is None:
            return None
        try:
            text = clean_description(description)
        except Invalid:
            return None
        return ExpenseDraft(exact, currency, cleaned, text, day)

    def _category(self, category: str) -> str | None:
        cleaned = self._categories.get(category)
        if cleaned is None:
            try:
                cleaned = clean_category(category)
            except Invalid:
                return None
            self._categories[category] = cleaned
        return cleaned
