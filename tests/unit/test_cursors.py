"""Opaque list cursors: signed, and only valid for the user and filters they were made for."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from expense_tracker.domain.errors import Invalid
from expense_tracker.domain.expense import ExpenseFilter, Position
from expense_tracker.services.cursors import CursorCodec

CODEC = CursorCodec(b"s" * 32)
POSITION = Position(date(2026, 11, 24), "01JDX3ABCDEF")
FILTERS = ExpenseFilter(date_from=date(2026, 1, 1), category="Food")


def _refused(cursor: str, user: str = "alice", filters: ExpenseFilter = FILTERS) -> None:
    with pytest.raises(Invalid) as caught:
        CODEC.decode(user, filters, cursor)
    assert [e.field for e in caught.value.errors] == ["cursor"]


def test_cursor_round_trips_for_its_user_and_filters() -> None:
    cursor = CODEC.encode("alice", FILTERS, POSITION)

    assert CODEC.decode("alice", FILTERS, cursor) == POSITION


def test_cursor_is_url_safe_text() -> None:
    cursor = CODEC.encode("alice", FILTERS, POSITION)

    assert cursor.replace("-", "").replace("_", "").isalnum()


def test_cursor_of_another_user_is_refused() -> None:
    _refused(CODEC.encode("alice", FILTERS, POSITION), user="bob")


@pytest.mark.parametrize(
    "other",
    [
        ExpenseFilter(),
        ExpenseFilter(date_from=date(2026, 1, 2), category="Food"),
        ExpenseFilter(date_from=date(2026, 1, 1), category="Travel"),
        ExpenseFilter(date_from=date(2026, 1, 1), category="Food", text="x"),
    ],
)
def test_cursor_of_other_filters_is_refused(other: ExpenseFilter) -> None:
    _refused(CODEC.encode("alice", FILTERS, POSITION), filters=other)


def test_tampered_cursor_is_refused() -> None:
    raw = bytearray(base64.urlsafe_b64decode(CODEC.encode("alice", FILTERS, POSITION) + "=="))
    raw[-3] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")

    _refused(tampered)


def test_cursor_forged_for_another_user_is_refused() -> None:
    raw = base64.urlsafe_b64decode(CODEC.encode("alice", FILTERS, POSITION) + "==")
    forged_payload = raw[16:].replace(b"alice", b"bob")
    forged = base64.urlsafe_b64encode(raw[:16] + forged_payload).decode().rstrip("=")

    _refused(forged, user="bob")


def test_cursor_signed_with_another_secret_is_refused() -> None:
    foreign = CursorCodec(b"t" * 32).encode("alice", FILTERS, POSITION)

    _refused(foreign)


@pytest.mark.parametrize("garbage", ["", "x", "!!!!", "a" * 40, "bm90IGEgY3Vyc29y", "é"])
def test_garbage_is_refused_not_crashed_on(garbage: str) -> None:
    _refused(garbage)
