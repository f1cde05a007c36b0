"""Idempotency-Key records: replay, mismatch, scope, lifetime."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from expense_tracker.domain.errors import Invalid
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.ports import ExpenseStore, IdempotencyKey

from .factories import NOW, ids, make_expense, new_user

KEY = IdempotencyKey("key-1", "fingerprint-a")


def _all(store: ExpenseStore, user_id: str) -> list[str]:
    return ids(list(store.iterate(user_id, ExpenseFilter())))


def test_replay_returns_the_first_expense_and_adds_nothing(store: ExpenseStore) -> None:
    user = new_user()
    first = store.add(make_expense(user), KEY)

    again = store.add(make_expense(user, created_at=NOW + timedelta(seconds=3)), KEY)

    assert again == first
    assert _all(store, user) == [first.id]


def test_replay_returns_the_first_response_even_after_a_change(store: ExpenseStore) -> None:
    user = new_user()
    first = store.add(make_expense(user), KEY)
    store.replace(dataclasses.replace(first, description="changed", version=2), 1)

    again = store.add(make_expense(user), KEY)

    assert again == first


def test_same_key_with_another_body_is_invalid(store: ExpenseStore) -> None:
    user = new_user()
    first = store.add(make_expense(user), KEY)

    with pytest.raises(Invalid) as caught:
        store.add(make_expense(user, amount="99.00"), IdempotencyKey(KEY.key, "fingerprint-b"))

    assert [e.field for e in caught.value.errors] == ["Idempotency-Key"]
    assert _all(store, user) == [first.id]


def test_keys_are_scoped_per_user(store: ExpenseStore) -> None:
    alice, bob = new_user(), new_user()
    hers = store.add(make_expense(alice), KEY)

    his = store.add(make_expense(bob), KEY)

    assert his.id != hers.id
    assert _all(store, bob) == [his.id]
    assert _all(store, alice) == [hers.id]


def test_different_keys_add_different_expenses(store: ExpenseStore) -> None:
    user = new_user()
    first = store.add(make_expense(user), IdempotencyKey("a", "same"))
    second = store.add(make_expense(user), IdempotencyKey("b", "same"))

    assert sorted(_all(store, user)) == sorted([first.id, second.id])


def test_key_is_honoured_for_24_hours(store: ExpenseStore) -> None:
    user = new_user()
    first = store.add(make_expense(user), KEY)

    later = make_expense(user, created_at=NOW + timedelta(hours=24))

    assert store.add(later, KEY) == first
    with pytest.raises(Invalid):
        store.add(later, IdempotencyKey(KEY.key, "fingerprint-b"))


def test_key_is_forgotten_after_48_hours(store: ExpenseStore) -> None:
    user = new_user()
    first = store.add(make_expense(user), KEY)

    much_later = make_expense(user, created_at=NOW + timedelta(hours=48, seconds=1))
    new_key = IdempotencyKey(KEY.key, "fingerprint-b")
    fresh = store.add(much_later, new_key)

    assert fresh == much_later
    assert sorted(_all(store, user)) == sorted([first.id, fresh.id])
    assert store.add(make_expense(user, created_at=much_later.created_at), new_key) == fresh
