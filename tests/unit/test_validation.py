"""Validation of new expenses (drafts), changes, and their application."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from expense_tracker.domain.errors import Invalid
from expense_tracker.domain.expense import (
    Expense,
    ExpenseChanges,
    ExpenseFilter,
    RawExpense,
    apply_changes,
    validate_changes,
    validate_draft,
)

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)


def _draft(**fields: Any) -> Any:
    raw = RawExpense(**{"amount": "12.50", "category": "Food", **fields})
    return validate_draft(raw, default_currency="EUR", today=TODAY)


def _fields(exc: pytest.ExceptionInfo[Invalid]) -> list[str]:
    return [e.field for e in exc.value.errors]


def _expense(**fields: Any) -> Expense:
    base: dict[str, Any] = {
        "id": "e1",
        "user_id": "u1",
        "amount": Decimal("12.50"),
        "currency": "USD",
        "category": "Food",
        "description": "Lunch",
        "date": TODAY,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Expense(**{**base, **fields})


def test_draft_takes_the_defaults() -> None:
    draft = _draft()

    assert (draft.amount, draft.currency, draft.date, draft.description) == (
        Decimal("12.50"),
        "EUR",
        TODAY,
        "",
    )


def test_draft_keeps_what_was_given() -> None:
    draft = _draft(currency="JPY", amount="1500", date="2026-01-02", description=" hi ")

    assert (draft.amount, draft.currency, draft.date, draft.description) == (
        Decimal("1500"),
        "JPY",
        date(2026, 1, 2),
        "hi",
    )


def test_category_is_trimmed_and_inner_spaces_collapsed() -> None:
    assert _draft(category="  Eating   out ").category == "Eating out"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        _draft(amount="-1", category="", description=7, date="yesterday")

    assert sorted(_fields(caught)) == ["amount", "category", "date", "description"]


def test_missing_amount_is_required() -> None:
    with pytest.raises(Invalid) as caught:
        _draft(amount=None)

    assert [(e.field, e.message) for e in caught.value.errors] == [("amount", "is required")]


def test_amount_is_checked_against_the_default_currency() -> None:
    with pytest.raises(Invalid) as caught:
        validate_draft(RawExpense("12.5", category="x"), default_currency="JPY", today=TODAY)

    assert _fields(caught) == ["amount"]


@pytest.mark.parametrize("category", ["", "   ", "x" * 65, 5, None, "a\x00b", "tab\x7f"], ids=repr)
def test_bad_categories_are_refused(category: object) -> None:
    with pytest.raises(Invalid) as caught:
        _draft(category=category)

    assert _fields(caught) == ["category"]


def test_category_of_64_characters_is_accepted() -> None:
    assert _draft(category="x" * 64).category == "x" * 64


@pytest.mark.parametrize("description", ["x" * 501, "bell\x07", "esc\x1b[31m", 12])
def test_bad_descriptions_are_refused(description: object) -> None:
    with pytest.raises(Invalid) as caught:
        _draft(description=description)

    assert _fields(caught) == ["description"]


def test_description_may_hold_lines_and_tabs() -> None:
    assert _draft(description="one\ntwo\tthree").description == "one\ntwo\tthree"


@pytest.mark.parametrize(
    "value",
    [
        "2026-13-01",
        "2026-02-30",
        "24/11/2026",
        "2026-W47-2",
        "20261124",
        "1969-12-31",
        "",
        20261124,
    ],
)
def test_bad_dates_are_refused(value: object) -> None:
    with pytest.raises(Invalid) as caught:
        _draft(date=value)

    assert _fields(caught) == ["date"]


def test_date_range_edges_are_accepted() -> None:
    assert _draft(date="1970-01-01").date == date(1970, 1, 1)
    assert _draft(date="9999-12-31").date == date(9999, 12, 31)


def test_changes_validate_only_what_is_given() -> None:
    changes = validate_changes({"description": "new"}, "USD")

    assert changes == ExpenseChanges(description="new")
    assert validate_changes({}, "USD").is_empty()


@pytest.mark.parametrize("name", ["amount", "currency", "category", "date"])
def test_required_fields_cannot_be_set_to_null(name: str) -> None:
    with pytest.raises(Invalid) as caught:
        validate_changes({name: None}, "USD")

    assert _fields(caught) == [name]


def test_description_can_be_cleared_with_null() -> None:
    assert validate_changes({"description": None}, "USD").description == ""


def test_changed_amount_is_checked_against_the_current_currency() -> None:
    with pytest.raises(Invalid) as caught:
        validate_changes({"amount": "1.5"}, "JPY")

    assert _fields(caught) == ["amount"]


def test_changed_amount_is_checked_against_the_new_currency() -> None:
    assert validate_changes({"amount": "1.234", "currency": "KWD"}, "USD").amount == Decimal(
        "1.234"
    )
    with pytest.raises(Invalid):
        validate_changes({"amount": "1.234", "currency": "EUR"}, "KWD")


def test_applying_changes_bumps_version_and_time() -> None:
    later = datetime(2026, 11, 25, tzinfo=UTC)

    changed = apply_changes(_expense(), ExpenseChanges(category="Travel"), later)

    assert (changed.category, changed.version, changed.updated_at) == ("Travel", 2, later)
    assert (changed.amount, changed.created_at) == (Decimal("12.50"), NOW)


def test_new_currency_must_fit_the_kept_amount() -> None:
    with pytest.raises(Invalid) as caught:
        apply_changes(_expense(), ExpenseChanges(currency="JPY"), NOW)

    assert _fields(caught) == ["amount"]


def test_filter_matches_text_in_each_field_but_not_across_them() -> None:
    expense = _expense(description="team lunch", category="Food")

    assert ExpenseFilter(text="LUNCH").matches(expense)
    assert ExpenseFilter(text="foo").matches(expense)
    assert not ExpenseFilter(text="lunch\nfood").matches(expense)


def test_filter_dates_are_inclusive() -> None:
    expense = _expense()

    assert ExpenseFilter(date_from=TODAY, date_to=TODAY).matches(expense)
    assert not ExpenseFilter(date_from=date(2026, 11, 25)).matches(expense)
    assert not ExpenseFilter(date_to=date(2026, 11, 23)).matches(expense)
