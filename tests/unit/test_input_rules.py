"""Inputs that look harmless but are not: weak passwords of a special kind, categories that
show nothing, text that reorders itself or carries control characters."""

from __future__ import annotations

import pytest

from expense_tracker.domain.credentials import valid_signup
from expense_tracker.domain.errors import Invalid
from expense_tracker.domain.expense import clean_category, clean_description


def password_messages(email: str, password: str) -> list[str]:
    with pytest.raises(Invalid) as refused:
        valid_signup(email, password)
    return [e.message for e in refused.value.errors if e.field == "password"]


@pytest.mark.parametrize(
    "password", ["zora.quibble@example.com", "Zora.Quibble@Example.COM", "zora.quibble"]
)
def test_a_password_equal_to_the_email_is_refused(password: str) -> None:
    assert password_messages("zora.quibble@example.com", password)


@pytest.mark.parametrize("password", ["\u00e9" * 12, "x" * 40, "77777777777"])
def test_a_password_of_one_repeated_character_is_refused(password: str) -> None:
    assert "must not be one character repeated" in password_messages("a@example.com", password)


def test_a_good_password_still_passes() -> None:
    assert valid_signup("a@example.com", "correct horse battery staple") == "a@example.com"


@pytest.mark.parametrize(
    "category", ["\u200b", "\u200b\u200c\u200d", "\u3164\u3164", "\u2800", "\ufeff\u2060", "\u0301"]
)
def test_a_category_of_only_invisible_characters_is_refused(category: str) -> None:
    with pytest.raises(Invalid) as refused:
        clean_category(category)
    assert refused.value.errors[0].field == "category"


@pytest.mark.parametrize("text", ["Food\u202egnp.exe", "a\u2066b\u2069", "a\u0080b", "a\u009bb"])
def test_bidi_overrides_and_c1_controls_are_refused_in_text(text: str) -> None:
    with pytest.raises(Invalid):
        clean_category(text)
    with pytest.raises(Invalid):
        clean_description(text)


def test_mixed_direction_text_with_marks_is_kept() -> None:
    assert (
        clean_category("Caf\u00e9 \u200f\u05e9\u05dc\u05d5\u05dd")
        == "Caf\u00e9 \u200f\u05e9\u05dc\u05d5\u05dd"
    )
    assert clean_description("line one\n\tline two") == "line one\n\tline two"
