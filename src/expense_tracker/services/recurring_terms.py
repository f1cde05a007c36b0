"""A series' terms checked: the expense's fields as an add checks them, then its schedule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from ..domain.errors import FieldError, Invalid
from ..domain.expense import RawExpense, clean_date, validate_draft
from ..domain.recurrence import Series, parse_rule


def _schedule(
    raw: Mapping[str, Any], start: date, errors: list[FieldError]
) -> tuple[date, date | None]:
    """`start`, `until` and `rule`, checked together (the rule is anchored at the start)."""
    until = None
    try:
        start = clean_date(raw.get("start"), "start")
        until = clean_date(raw["until"], "until") if raw.get("until") is not None else None
        if until is not None and until < start:
            errors.append(FieldError("until", "must not be before start"))
    except Invalid as exc:
        errors.extend(exc.errors)
    try:
        parse_rule(raw.get("rule"), start)
    except Invalid as exc:
        errors.extend(exc.errors)
    return start, until


def validated_series(current: Series, raw: Mapping[str, Any], default_currency: str) -> Series:
    errors: list[FieldError] = []
    draft = None
    try:
        draft = validate_draft(
            RawExpense(
                raw.get("amount"),
                raw.get("currency"),
                raw.get("category"),
                raw.get("description"),
                current.start,
            ),
            default_currency=default_currency,
            today=current.start,
        )
    except Invalid as exc:
        errors.extend(exc.errors)
    start, until = _schedule(raw, current.start, errors)
    if errors or draft is None:
        raise Invalid(errors)
    return replace(
        current,
        amount=draft.amount,
        currency=draft.currency,
        category=draft.category,
        description=draft.description,
        rule=str(raw["rule"]).strip(),
        start=start,
        until=until,
    )
