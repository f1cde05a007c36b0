"""add_many (all or nothing), delete_user, and profiles."""

from __future__ import annotations

import pytest

from expense_tracker.domain.errors import Conflict, NotFound
from expense_tracker.domain.expense import ExpenseFilter
from expense_tracker.ports import ExpenseStore, IdempotencyKey

from .conftest import DEFAULT_CURRENCY, Backend
from .factories import ids, make_expense, make_receipt, new_user


def test_add_many_adds_every_expense(store: ExpenseStore) -> None:
    user = new_user()
    batch = [make_expense(user, amount=f"{i}.00") for i in range(1, 251)]

    store.add_many(batch)

    assert sorted(ids(list(store.iterate(user, ExpenseFilter())))) == sorted(ids(batch))
    assert store.get(user, batch[41].id) == batch[41]


def test_add_many_of_nothing_is_fine(store: ExpenseStore) -> None:
    user = new_user()
    store.add_many([])

    assert list(store.iterate(user, ExpenseFilter())) == []


# SQLite: up to 64 rows are one multi-row INSERT, more go through its staging table.
@pytest.mark.parametrize("size", [10, 100])
def test_add_many_adds_nothing_when_one_fails(store: ExpenseStore, size: int) -> None:
    user = new_user()
    existing = store.add(make_expense(user))
    batch = [make_expense(user) for _ in range(size)]
    batch.append(make_expense(user, expense_id=existing.id))

    with pytest.raises(Conflict):
        store.add_many(batch)

    assert ids(list(store.iterate(user, ExpenseFilter()))) == [existing.id]


def test_add_many_refuses_a_batch_with_a_repeated_id(store: ExpenseStore) -> None:
    user = new_user()
    first = make_expense(user)

    with pytest.raises(Conflict):
        store.add_many([first, make_expense(user, expense_id=first.id)])

    with pytest.raises(NotFound):
        store.get(user, first.id)


def test_delete_user_removes_everything_and_returns_receipts(backend: Backend) -> None:
    store, user, other = backend.store, new_user(), new_user()
    store.add(make_expense(user, receipt=make_receipt("r/1")), IdempotencyKey("k", "f"))
    store.add(make_expense(user, receipt=make_receipt("r/2")))
    store.add(make_expense(user))
    kept = store.add(make_expense(other, receipt=make_receipt("r/3")), IdempotencyKey("k", "f"))
    backend.profiles.set_default_currency(user, "JPY")
    backend.profiles.set_default_currency(other, "GBP")

    receipts = store.delete_user(user)

    assert sorted(r.key for r in receipts) == ["r/1", "r/2"]
    assert list(store.iterate(user, ExpenseFilter())) == []
    assert store.categories(user) == []
    assert backend.profiles.default_currency(user) == DEFAULT_CURRENCY
    assert store.get(other, kept.id) == kept
    assert backend.profiles.default_currency(other) == "GBP"
    assert store.add(make_expense(other), IdempotencyKey("k", "f")) == kept


def test_deleted_users_idempotency_keys_are_forgotten(store: ExpenseStore) -> None:
    user = new_user()
    store.add(make_expense(user), IdempotencyKey("k", "f"))
    store.delete_user(user)

    fresh = store.add(make_expense(user), IdempotencyKey("k", "another body"))

    assert ids(list(store.iterate(user, ExpenseFilter()))) == [fresh.id]


def test_delete_user_without_data_returns_no_receipts(store: ExpenseStore) -> None:
    assert store.delete_user(new_user()) == []


def test_profile_defaults_for_a_user_never_seen(backend: Backend) -> None:
    assert backend.profiles.default_currency(new_user()) == DEFAULT_CURRENCY


def test_profile_keeps_each_users_currency(backend: Backend) -> None:
    alice, bob = new_user(), new_user()

    backend.profiles.set_default_currency(alice, "JPY")
    backend.profiles.set_default_currency(alice, "KWD")
    backend.profiles.set_default_currency(bob, "USD")

    assert backend.profiles.default_currency(alice) == "KWD"
    assert backend.profiles.default_currency(bob) == "USD"
