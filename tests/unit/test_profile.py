"""Locale tags and the home currency that follows the default currency until set."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expense_tracker.domain.errors import Invalid
from expense_tracker.domain.profile import Profile, parse_locale


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [("en", "en"), ("de-DE", "de-DE"), ("en-gb", "en-GB"), ("zh-Hant-TW", "zh-Hant-TW")],
)
def test_valid_bcp47_tags_are_kept_in_canonical_form(tag: str, canonical: str) -> None:
    assert parse_locale(tag) == canonical


@pytest.mark.parametrize("tag", ["", "de_DE", "not a locale", "xx-YY", "e", "a" * 36, "12"])
def test_anything_else_is_refused_naming_locale(tag: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_locale(tag)
    assert raised.value.errors[0].field == "locale"


@given(st.text(max_size=40))
def test_no_text_makes_the_check_crash(text: str) -> None:
    with contextlib.suppress(Invalid):  # refused is fine; any other exception is not
        assert parse_locale(text)


def test_home_currency_follows_the_default_until_chosen() -> None:
    assert Profile("JPY").effective_home == "JPY"
    assert Profile("JPY", home_currency="EUR").effective_home == "EUR"
